using BenchmarkDotNet.Attributes;
using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Benchmarks.Protocol;

/// <summary>
/// Metadata v12 response encode for a cluster of 100 topics x 6 partitions on one broker (replicas and ISR
/// [1]): what every client asks for at start and on each metadata refresh.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(Categories.Protocol)]
public class MetadataCodecBenchmarks
{
    private const short Version = 12;
    private const int Topics = 100;
    private const int PartitionsPerTopic = 6;

    private MetadataResponse _response = null!;
    private byte[] _buffer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _response = new MetadataResponse { ClusterId = "4L6g3nShT-eMCtK--X86sw", ControllerId = 1 };
        _response.Brokers.Add(new MetadataResponse.MetadataResponseBroker { NodeId = 1, Host = "broker-1.example.internal", Port = 9092 });
        for (var t = 0; t < Topics; t++)
        {
            var topic = new MetadataResponse.MetadataResponseTopic
            {
                Name = $"orders.events-{t:D3}",
                TopicId = Uuid.NewRandom(),
                IsInternal = false,
                TopicAuthorizedOperations = int.MinValue,
            };
            for (var p = 0; p < PartitionsPerTopic; p++)
            {
                topic.Partitions.Add(new MetadataResponse.MetadataResponsePartition
                {
                    PartitionIndex = p,
                    LeaderId = 1,
                    LeaderEpoch = 3,
                    ReplicaNodes = [1],
                    IsrNodes = [1],
                    OfflineReplicas = [],
                });
            }

            _response.Topics.Add(topic);
        }

        _buffer = new byte[_response.ComputeSize(Version)];
    }

    [Benchmark]
    public int EncodeResponse()
    {
        var size = _response.ComputeSize(Version);
        var writer = new KafkaWriter(_buffer.AsSpan(0, size));
        _response.Write(ref writer, Version);
        return writer.Position;
    }
}
