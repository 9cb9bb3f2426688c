using Rill.Common;
using Rill.Protocol.Messages;

namespace Rill.Raft.Tests;

/// <summary>Raft requests and answers as a peer would send them, for tests that play the other nodes.</summary>
internal static class RaftMessages
{
    public static VoteRequest Vote(int candidateId, int epoch, int lastEpoch, long endOffset, bool preVote = false,
        string? clusterId = RaftNodeFixture.ClusterId, int voterId = -1)
    {
        var partition = new VoteRequest.PartitionData
        {
            PartitionIndex = 0,
            CandidateEpoch = epoch,
            CandidateId = candidateId,
            LastOffsetEpoch = lastEpoch,
            LastOffset = endOffset,
        };
        if (preVote)
        {
            PreVoteField.Mark(partition);
        }

        return new VoteRequest
        {
            ClusterId = clusterId,
            VoterId = voterId,
            Topics = [new VoteRequest.TopicData { TopicName = MetadataTopicPartition.TopicName, Partitions = [partition] }],
        };
    }

    public static VoteResponse VoteAnswer(bool granted, int epoch, int leaderId = -1, ErrorCode error = ErrorCode.None) => new()
    {
        Topics =
        [
            new VoteResponse.TopicData
            {
                TopicName = MetadataTopicPartition.TopicName,
                Partitions = [new VoteResponse.PartitionData { ErrorCode = (short)error, LeaderEpoch = epoch, LeaderId = leaderId, VoteGranted = granted }],
            },
        ],
    };

    public static VoteResponse.PartitionData Single(VoteResponse response) => Assert.Single(Assert.Single(response.Topics).Partitions);

    public static VoteRequest.PartitionData Single(VoteRequest request) => Assert.Single(Assert.Single(request.Topics).Partitions);

    public static BeginQuorumEpochRequest BeginQuorumEpoch(int leaderId, int epoch) => new()
    {
        ClusterId = RaftNodeFixture.ClusterId,
        Topics =
        [
            new BeginQuorumEpochRequest.TopicData
            {
                TopicName = MetadataTopicPartition.TopicName,
                Partitions = [new BeginQuorumEpochRequest.PartitionData { LeaderId = leaderId, LeaderEpoch = epoch }],
            },
        ],
    };

    public static BeginQuorumEpochResponse BeginQuorumEpochAnswer(int epoch, int leaderId) => new()
    {
        Topics =
        [
            new BeginQuorumEpochResponse.TopicData
            {
                TopicName = MetadataTopicPartition.TopicName,
                Partitions = [new BeginQuorumEpochResponse.PartitionData { LeaderEpoch = epoch, LeaderId = leaderId }],
            },
        ],
    };

    public static EndQuorumEpochRequest EndQuorumEpoch(int leaderId, int epoch, params int[] successors) => new()
    {
        ClusterId = RaftNodeFixture.ClusterId,
        Topics =
        [
            new EndQuorumEpochRequest.TopicData
            {
                TopicName = MetadataTopicPartition.TopicName,
                Partitions =
                [
                    new EndQuorumEpochRequest.PartitionData
                    {
                        LeaderId = leaderId,
                        LeaderEpoch = epoch,
                        PreferredCandidates = [.. successors.Select(static id => new EndQuorumEpochRequest.ReplicaInfo { CandidateId = id })],
                    },
                ],
            },
        ],
    };

    public static FetchRequest Fetch(int replicaId, int epoch, long fetchOffset, int lastFetchedEpoch, int maxWaitMs = 0) => new()
    {
        ClusterId = RaftNodeFixture.ClusterId,
        ReplicaState = new FetchRequest.ReplicaStateData { ReplicaId = replicaId },
        MaxWaitMs = maxWaitMs,
        MaxBytes = 1 << 20,
        Topics =
        [
            new FetchRequest.FetchTopic
            {
                TopicId = MetadataTopicPartition.TopicId,
                Partitions =
                [
                    new FetchRequest.FetchPartition
                    {
                        CurrentLeaderEpoch = epoch,
                        FetchOffset = fetchOffset,
                        LastFetchedEpoch = lastFetchedEpoch,
                        PartitionMaxBytes = 1 << 20,
                    },
                ],
            },
        ],
    };

    public static FetchResponse.PartitionData Single(FetchResponse response) => Assert.Single(Assert.Single(response.Responses).Partitions);

    public static FetchRequest.FetchPartition Single(FetchRequest request) => Assert.Single(Assert.Single(request.Topics).Partitions);

    /// <summary>A leader's answer to a fetch: records (may be empty), its high watermark, its epoch and id.</summary>
    public static FetchResponse FetchAnswer(int leaderId, int epoch, long highWatermark, ReadOnlyMemory<byte> records,
        ErrorCode error = ErrorCode.None, OffsetAndEpoch? diverging = null, OffsetAndEpoch? snapshotId = null)
    {
        var partition = new FetchResponse.PartitionData
        {
            ErrorCode = (short)error,
            HighWatermark = highWatermark,
            CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = leaderId, LeaderEpoch = epoch },
            Records = records,
        };
        if (diverging is { } d)
        {
            partition.DivergingEpoch = new FetchResponse.EpochEndOffset { Epoch = d.Epoch, EndOffset = d.Offset };
        }

        if (snapshotId is { } s)
        {
            partition.SnapshotId = new FetchResponse.SnapshotId { EndOffset = s.Offset, Epoch = s.Epoch };
        }

        return new FetchResponse
        {
            Responses = [new FetchResponse.FetchableTopicResponse { TopicId = MetadataTopicPartition.TopicId, Partitions = [partition] }],
        };
    }

    /// <summary>A data batch as a leader of <paramref name="epoch"/> would have written it at <paramref name="baseOffset"/>.</summary>
    public static byte[] DataBatch(long baseOffset, int epoch, params string[] values) =>
        RaftBatches.BuildData(baseOffset, epoch, 1_700_000_000_000, [.. values.Select(static v => new ReadOnlyMemory<byte>(System.Text.Encoding.UTF8.GetBytes(v)))]);

    public static IReadOnlyList<ReadOnlyMemory<byte>> Records(params string[] values) =>
        [.. values.Select(static v => new ReadOnlyMemory<byte>(System.Text.Encoding.UTF8.GetBytes(v)))];
}
