using BenchmarkDotNet.Attributes;
using Rill.Benchmarks.Support;
using Rill.Protocol.Records;

namespace Rill.Benchmarks.Records;

/// <summary>
/// <c>RecordBatchValidator.Validate</c> on one producer batch, as the log runs it before every append: length,
/// CRC-32C, header rules, then every record parsed (compressed batches decompressed as a stream). Two record
/// counts, so allocation that grows with records shows as a difference between them.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(Categories.Records)]
public class BatchValidationBenchmarks
{
    private static readonly RecordValidationOptions Options = RecordValidationOptions.ForProducer(1024 * 1024 + 12, 64L * 1024 * 1024);

    private ReadOnlyMemory<byte> _batch;

    [Params(CompressionCodec.None, CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd)]
    public CompressionCodec Codec { get; set; }

    [Params(100, 1000)]
    public int Records { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _batch = RecordBatches.Build(Records, Codec);
        var result = RecordBatchValidator.Validate(_batch, Options);
        if (!result.IsValid || result.RecordCount != Records)
        {
            throw new InvalidOperationException($"the {Codec} batch does not validate: {result.ErrorCode} {result.ErrorMessage}");
        }
    }

    [Benchmark]
    public int Validate() => RecordBatchValidator.Validate(_batch, Options).RecordCount;
}
