using System.Buffers;
using BenchmarkDotNet.Attributes;
using Rill.Benchmarks.Support;
using Rill.Protocol;
using Rill.Protocol.Framing;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;
using Rill.Server.Network;

namespace Rill.Benchmarks.Protocol;

/// <summary>
/// The first steps of every request: the header alone, and what <c>KafkaSession</c> does before a handler runs
/// (split the frame off the received bytes, copy it into a pooled buffer, decode the header). The request is
/// a Produce v9 (flexible header v2) of one partition with a 16 KiB batch.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(Categories.Protocol)]
public class RequestHeaderBenchmarks
{
    private ReadOnlyMemory<byte> _request;
    private ReadOnlySequence<byte> _received;

    [GlobalSetup]
    public void Setup()
    {
        var batch = RecordBatches.Build(RecordBatches.RecordsPer16KiB, CompressionCodec.None);
        var frame = Frames.Request(ApiKey.Produce, 9, correlationId: 42, Requests.Produce(partitions: 1, batch));
        _received = new ReadOnlySequence<byte>(frame);
        _request = frame.AsMemory(4);
    }

    /// <summary><c>RequestHeader.ReadFrom</c>: api key, version, correlation id, client id, tagged fields.</summary>
    [Benchmark]
    public int DecodeHeader()
    {
        var reader = new KafkaReader(_request);
        var header = RequestHeader.ReadFrom(ref reader, out _);
        return header.CorrelationId + reader.Position;
    }

    /// <summary><c>FrameReader.TryReadFrame</c>, <c>RequestFrame.CopyFrom</c> (16 KiB copy) and the header, as the session does per request.</summary>
    [Benchmark]
    public int FrameCopyAndHeader()
    {
        var buffer = _received;
        FrameReader.TryReadFrame(ref buffer, int.MaxValue, out var bytes, out _);
        using var frame = RequestFrame.CopyFrom(bytes);
        var reader = new KafkaReader(frame.Memory);
        var header = RequestHeader.ReadFrom(ref reader, out _);
        return header.CorrelationId + reader.Position;
    }
}
