using BenchmarkDotNet.Attributes;
using Rill.Benchmarks.Support;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Benchmarks.Protocol;

/// <summary>
/// Fetch v12 codecs: encoding a response of one topic with 6 partitions of 64 KiB of record batches each
/// (about 384 KiB, the records copied into the output as <c>KafkaSession</c> does), and decoding the consumer's
/// 6-partition request.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(Categories.Protocol)]
public class FetchCodecBenchmarks
{
    private const short Version = 12;
    private const int Partitions = 6;
    private const int PartitionBytes = 64 * 1024;

    private FetchResponse _response = null!;
    private byte[] _responseBuffer = null!;
    private ReadOnlyMemory<byte> _requestBody;

    [GlobalSetup]
    public void Setup()
    {
        var records = RecordBatches.Consecutive(PartitionBytes, recordsPerBatch: 100);
        var topic = new FetchResponse.FetchableTopicResponse { Topic = Requests.Topic };
        for (var p = 0; p < Partitions; p++)
        {
            topic.Partitions.Add(new FetchResponse.PartitionData
            {
                PartitionIndex = p,
                HighWatermark = 1_000_000,
                LastStableOffset = 1_000_000,
                LogStartOffset = 0,
                AbortedTransactions = null,
                Records = records.ToArray(),
            });
        }

        _response = new FetchResponse();
        _response.Responses.Add(topic);
        _responseBuffer = new byte[_response.ComputeSize(Version)];
        _requestBody = Frames.Body(Requests.Fetch(Partitions, fetchOffset: 500_000, PartitionBytes), Version);
    }

    [Benchmark]
    public int EncodeResponse()
    {
        var size = _response.ComputeSize(Version);
        var writer = new KafkaWriter(_responseBuffer.AsSpan(0, size));
        _response.Write(ref writer, Version);
        return writer.Position;
    }

    [Benchmark]
    public int DecodeRequest()
    {
        var reader = new KafkaReader(_requestBody);
        var request = FetchRequest.Read(ref reader, Version);
        return request.Topics[0].Partitions.Count;
    }
}
