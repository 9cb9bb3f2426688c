using Rill.Client;
using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Cli.Cluster;

/// <summary>
/// The metadata quorum as the brokers describe it (DescribeQuorum, which Confluent.Kafka's admin client does not
/// speak): who leads, in which epoch, up to which offset is committed, and how far each controller and observer is.
/// </summary>
internal static class QuorumDescription
{
    private const string MetadataTopic = "__cluster_metadata";

    /// <summary>The quorum as the first broker that answers describes it; null when none serves DescribeQuorum.</summary>
    public static async Task<QuorumInfo?> DescribeAsync(CliContext context, IEnumerable<(string Host, int Port)> brokers, CancellationToken cancellationToken)
    {
        var options = new KafkaConnectionOptions { ClientId = "rill-cli", ClientSoftwareName = "rill-cli", TimeProvider = context.Console.TimeProvider };
        foreach (var (host, port) in brokers)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(context.Timeout);
            try
            {
                await using var connection = await KafkaConnection.ConnectAsync(host, port, options, timeout.Token);
                var response = await connection.SendAsync<DescribeQuorumRequest, DescribeQuorumResponse>(
                    new DescribeQuorumRequest
                    {
                        Topics = [new DescribeQuorumRequest.TopicData { TopicName = MetadataTopic, Partitions = [new DescribeQuorumRequest.PartitionData { PartitionIndex = 0 }] }],
                    },
                    timeout.Token);
                return Of(response, context.Console.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            }
            catch (KafkaException exception) when (exception.ErrorCode == ErrorCode.UnsupportedVersion)
            {
                return null;
            }
            catch (Exception exception) when (exception is KafkaConnectionException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Try the next broker.
            }
        }

        return null;
    }

    private static QuorumInfo? Of(DescribeQuorumResponse response, long now)
    {
        var errorCode = response.ErrorCode != 0 ? response.ErrorCode : response.Topics.SelectMany(t => t.Partitions).Select(p => p.ErrorCode).FirstOrDefault();
        if (errorCode != 0 || response.Topics.Count == 0 || response.Topics[0].Partitions.Count == 0)
        {
            return new QuorumInfo(-1, -1, -1, [], [], $"the broker answered {(ErrorCode)errorCode} (error {errorCode})");
        }

        var partition = response.Topics[0].Partitions[0];
        return new QuorumInfo(
            partition.LeaderId,
            partition.LeaderEpoch,
            partition.HighWatermark,
            [.. partition.CurrentVoters.OrderBy(v => v.ReplicaId).Select(v => Replica(v, partition, now))],
            [.. partition.Observers.OrderBy(v => v.ReplicaId).Select(v => Replica(v, partition, now))],
            Error: null);
    }

    private static QuorumReplica Replica(DescribeQuorumResponse.ReplicaState state, DescribeQuorumResponse.PartitionData partition, long now) =>
        new(
            state.ReplicaId,
            state.ReplicaId == partition.LeaderId,
            state.LogEndOffset,
            state.LogEndOffset >= 0 && partition.HighWatermark >= 0 ? Math.Max(0, partition.HighWatermark - state.LogEndOffset) : null,
            state.LastFetchTimestamp >= 0 && state.ReplicaId != partition.LeaderId ? Math.Max(0, now - state.LastFetchTimestamp) : null,
            state.LastCaughtUpTimestamp >= 0 && state.ReplicaId != partition.LeaderId ? Math.Max(0, now - state.LastCaughtUpTimestamp) : null);
}

/// <summary>The quorum's state; <see cref="Error"/> when the broker answered with an error instead.</summary>
internal sealed record QuorumInfo(int LeaderId, int LeaderEpoch, long HighWatermark, IReadOnlyList<QuorumReplica> Voters, IReadOnlyList<QuorumReplica> Observers, string? Error);

/// <summary>One voter or observer: its log end, how far behind the high watermark, and how long since it fetched and since it was caught up.</summary>
internal sealed record QuorumReplica(int Id, bool Leader, long LogEndOffset, long? Lag, long? LastFetchMsAgo, long? LastCaughtUpMsAgo);
