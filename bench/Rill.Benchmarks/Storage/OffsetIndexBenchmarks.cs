using System.Buffers.Binary;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using Rill.Benchmarks.Support;
using Rill.Storage;

namespace Rill.Benchmarks.Storage;

/// <summary>
/// <c>OffsetIndex.Lookup</c>: the binary search a read starts with. 262,144 entries is a full 1 GiB segment
/// at index.interval.bytes=4096; 1,024 a small segment. Each operation is one lookup of a random offset.
/// </summary>
/// <remarks>
/// OffsetIndex is internal to Rill.Storage and the bench may not add InternalsVisibleTo there, so the index is
/// loaded through reflection once and <c>Lookup</c> is bound to a delegate: the measured call costs one
/// delegate invocation more than the log's own.
/// </remarks>
[MemoryDiagnoser]
[BenchmarkCategory(Categories.Storage)]
public class OffsetIndexBenchmarks
{
    private const int LookupsPerInvoke = 1024;
    private const long BaseOffset = 1_000_000;
    private const int OffsetsPerEntry = 37;
    private const int BytesPerEntry = 4096;

    private TempDirectory _dir = null!;
    private IDisposable _index = null!;
    private Func<long, (long Offset, int Position)> _lookup = null!;
    private long[] _targets = null!;

    [Params(1024, 262_144)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dir = new TempDirectory("rill-bench-index");
        var path = Path.Combine(_dir.Path, "00000000000001000000.index");
        var bytes = new byte[Entries * 8];
        for (var i = 0; i < Entries; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * 8), i * OffsetsPerEntry);
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i * 8 + 4), i * BytesPerEntry);
        }

        File.WriteAllBytes(path, bytes);
        var type = typeof(Log).Assembly.GetType("Rill.Storage.OffsetIndex", throwOnError: true)!;
        var load = type.GetMethod("Load", BindingFlags.Public | BindingFlags.Static)!;
        var logSize = (long)(Entries + 1) * BytesPerEntry;
        var upperBound = BaseOffset + ((long)Entries + 1) * OffsetsPerEntry;
        _index = (IDisposable)load.Invoke(null, [path, BaseOffset, 10 * 1024 * 1024, logSize, upperBound])!;
        _lookup = type.GetMethod("Lookup")!.CreateDelegate<Func<long, (long, int)>>(_index);

        var random = new Random(42);
        _targets = new long[LookupsPerInvoke];
        for (var i = 0; i < _targets.Length; i++)
        {
            _targets[i] = BaseOffset + random.NextInt64((long)Entries * OffsetsPerEntry);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _index.Dispose();
        _dir.Dispose();
    }

    [Benchmark(OperationsPerInvoke = LookupsPerInvoke)]
    public long Lookup()
    {
        var sum = 0L;
        foreach (var target in _targets)
        {
            sum += _lookup(target).Position;
        }

        return sum;
    }
}
