using BenchmarkDotNet.Attributes;
using Rill.Benchmarks.Support;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Benchmarks.Protocol;

/// <summary>
/// Produce v9 codecs: decoding a request of one topic with 6 partitions of one 16 KiB batch each (records are
/// sliced, never copied), and encoding the matching 6-partition response into a buffer sized by ComputeSize.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(Categories.Protocol)]
public class ProduceCodecBenchmarks
{
    private const short Version = 9;
    private const int Partitions = 6;

    private ReadOnlyMemory<byte> _requestBody;
    private ProduceResponse _response = null!;
    private byte[] _responseBuffer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var batch = RecordBatches.Build(RecordBatches.RecordsPer16KiB, CompressionCodec.None);
        _requestBody = Frames.Body(Requests.Produce(Partitions, batch), Version);

        var topic = new ProduceResponse.TopicProduceResponse { Name = Requests.Topic };
        for (var p = 0; p < Partitions; p++)
        {
            topic.PartitionResponses.Add(new ProduceResponse.PartitionProduceResponse
            {
                Index = p,
                ErrorCode = 0,
                BaseOffset = 1_234_567 + p,
                LogAppendTimeMs = -1,
                LogStartOffset = 0,
            });
        }

        _response = new ProduceResponse();
        _response.Responses.Add(topic);
        _responseBuffer = new byte[_response.ComputeSize(Version)];
    }

    [Benchmark]
    public int DecodeRequest()
    {
        var reader = new KafkaReader(_requestBody);
        var request = ProduceRequest.Read(ref reader, Version);
        return request.TopicData[0].PartitionData.Count;
    }

    [Benchmark]
    public int EncodeResponse()
    {
        var size = _response.ComputeSize(Version);
        var writer = new KafkaWriter(_responseBuffer.AsSpan(0, size));
        _response.Write(ref writer, Version);
        return writer.Position;
    }
}
