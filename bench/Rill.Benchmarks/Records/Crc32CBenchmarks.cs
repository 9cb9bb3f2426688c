using BenchmarkDotNet.Attributes;
using Rill.Common;

namespace Rill.Benchmarks.Records;

/// <summary>CRC-32C (the batch checksum) over a 16 KiB batch and a 1 MiB one (the default max.message.bytes).</summary>
[MemoryDiagnoser]
[BenchmarkCategory(Categories.Records)]
public class Crc32CBenchmarks
{
    private byte[] _data = null!;

    [Params(16 * 1024, 1024 * 1024)]
    public int Bytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Bytes];
        new Random(42).NextBytes(_data);
    }

    [Benchmark]
    public uint Compute() => Crc32C.Compute(_data);
}
