using System.Text;
using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Raft.Tests;

public sealed class SnapshotTests
{
    private static readonly int[] ThreeVoters = [1, 2, 3];

    [Fact]
    public void CreateSnapshot_WritesKafkasHeaderAndFooterAroundTheRecordsAndCutsTheLog()
    {
        using var node = new RaftNodeFixture(1, [1]);
        node.Start();
        node.Client.ScheduleAtomicAppend(1, RaftMessages.Records("a", "b"));
        node.Poll();
        Assert.Equal(3, node.Client.HighWatermark);

        using (var writer = node.Client.CreateSnapshot(new OffsetAndEpoch(3, 1), lastContainedLogTimestampMs: 1_234))
        {
            writer.Append(RaftMessages.Records("state-1", "state-2"));
            writer.Freeze();
            Assert.Equal(2, writer.LastContainedLogOffset);
        }

        Assert.Equal(new OffsetAndEpoch(3, 1), node.Log.LatestSnapshotId);
        Assert.Equal((3L, 3L), (node.Log.StartOffset, node.Log.EndOffset));
        var bytes = ReadAll(node.Log, new OffsetAndEpoch(3, 1));
        var batches = RaftBatches.Split(bytes, out var consumed);
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(3, batches.Count);
        Assert.All(batches, static b => Assert.Equal(1, RecordBatch.GetPartitionLeaderEpoch(b.Span)));
        Assert.All(batches, static b => Assert.True(RecordBatch.IsCrcValid(b.Span)));
        Assert.Equal([0L, 1L, 3L], batches.Select(static b => RecordBatch.GetBaseOffset(b.Span)));

        Assert.True(RaftBatches.TryGetControlType(batches[0].Span, out var headerType));
        Assert.Equal(ControlRecordType.SnapshotHeader, headerType);
        var header = KafkaMessage.Deserialize<SnapshotHeaderRecord>(RaftBatches.ReadControlValue(batches[0].Span), 0);
        Assert.Equal((0, 1_234L), (header.Version, header.LastContainedLogTimestamp));
        Assert.Equal(["state-1", "state-2"], RaftBatches.ToRaftBatch(batches[1].Span).Records.Select(static r => Encoding.UTF8.GetString(r.Span)));
        Assert.True(RaftBatches.TryGetControlType(batches[2].Span, out var footerType));
        Assert.Equal(ControlRecordType.SnapshotFooter, footerType);
    }

    [Fact]
    public void CreateSnapshot_PastTheHighWatermark_Throws()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        ElectionHelpers.ElectNodeOne(node);

        Assert.Throws<ArgumentException>(() => node.Client.CreateSnapshot(new OffsetAndEpoch(1, 1), 0));
    }

    [Fact]
    public void CreateSnapshot_EpochTheLogDoesNotHaveThere_Throws()
    {
        using var node = new RaftNodeFixture(1, [1]);
        node.Start();
        node.Client.ScheduleAtomicAppend(1, RaftMessages.Records("a"));
        node.Poll();

        var exception = Assert.Throws<ArgumentException>(() => node.Client.CreateSnapshot(new OffsetAndEpoch(2, 2), 0));
        Assert.Contains("epoch", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateSnapshot_TwiceAtTheSameOffset_Throws()
    {
        using var node = SingleVoterWithSnapshot();

        Assert.Throws<InvalidOperationException>(() => node.Client.CreateSnapshot(new OffsetAndEpoch(3, 1), 0));
    }

    [Fact]
    public void Restart_WithASnapshot_LoadsItIntoListenersBeforeAnyLeaderIsKnown()
    {
        using var node = SingleVoterWithSnapshot();
        node.Client.ScheduleAtomicAppend(1, RaftMessages.Records("c"));
        node.Poll();

        node.Restart(crash: true);

        var snapshot = Assert.Single(node.Listener.Snapshots);
        Assert.Equal(new OffsetAndEpoch(3, 1), snapshot.SnapshotId);
        Assert.Equal(1_234, snapshot.LastContainedLogTimestampMs);
        Assert.Equal(["state"], snapshot.Batches.SelectMany(static b => b.Records).Select(static r => Encoding.UTF8.GetString(r.Span)));
        node.Poll();
        Assert.Equal(["c"], node.Listener.Values);
    }

    [Fact]
    public void Fetch_BehindTheLogStart_GetsTheLatestSnapshotId()
    {
        using var node = LeaderWithSnapshot();

        var partition = RaftMessages.Single(node.Request<FetchResponse>(RaftMessages.Fetch(3, 1, 1, 1)));

        Assert.Equal((2L, 1), (partition.SnapshotId.EndOffset, partition.SnapshotId.Epoch));
        Assert.Equal(2, partition.LogStartOffset);
        Assert.True(partition.Records!.Value.IsEmpty);
    }

    [Fact]
    public void FetchSnapshot_ServesSlicesOfTheSnapshotAndRefusesBadPositions()
    {
        using var node = LeaderWithSnapshot();
        var size = ReadAll(node.Log, new OffsetAndEpoch(2, 1)).Length;

        var first = SinglePartition(node.Request<FetchSnapshotResponse>(FetchSnapshot(2, 1, position: 0, maxBytes: 50)));
        var rest = SinglePartition(node.Request<FetchSnapshotResponse>(FetchSnapshot(2, 1, position: 50, maxBytes: 1 << 20)));
        var pastEnd = SinglePartition(node.Request<FetchSnapshotResponse>(FetchSnapshot(2, 1, position: size, maxBytes: 50)));
        var missing = SinglePartition(node.Request<FetchSnapshotResponse>(FetchSnapshot(5, 1, position: 0, maxBytes: 50)));
        var fenced = SinglePartition(node.Request<FetchSnapshotResponse>(FetchSnapshot(2, 1, position: 0, maxBytes: 50, epoch: 0)));

        Assert.Equal((ErrorCode.None, 50, (long)size, 0L), ((ErrorCode)first.ErrorCode, first.UnalignedRecords!.Value.Length, first.Size, first.Position));
        Assert.Equal((2L, 1), (first.SnapshotId.EndOffset, first.SnapshotId.Epoch));
        Assert.Equal((size - 50, 50L), (rest.UnalignedRecords!.Value.Length, rest.Position));
        Assert.Equal(ErrorCode.PositionOutOfRange, (ErrorCode)pastEnd.ErrorCode);
        Assert.Equal(ErrorCode.SnapshotNotFound, (ErrorCode)missing.ErrorCode);
        Assert.Equal((ErrorCode.FencedLeaderEpoch, 1, 1), ((ErrorCode)fenced.ErrorCode, fenced.CurrentLeader.LeaderId, fenced.CurrentLeader.LeaderEpoch));
    }

    [Fact]
    public void Follower_SnapshotInUnalignedSlices_IsDownloadedInstalledAndLoaded()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Log.AppendAsFollower(RaftMessages.DataBatch(0, 1, "stale"));
        node.Start();
        node.Request(RaftMessages.BeginQuorumEpoch(leaderId: 2, epoch: 4));
        var snapshotId = new OffsetAndEpoch(40, 3);
        var snapshot = SnapshotBytes(snapshotId, "s1", "s2", "s3");

        node.Channel.Take<FetchRequest>().Single()
            .Respond(RaftMessages.FetchAnswer(2, 4, highWatermark: 45, ReadOnlyMemory<byte>.Empty, snapshotId: snapshotId));
        node.Poll();
        var position = 0;
        while (position < snapshot.Length)
        {
            var (destination, request, respond) = Assert.Single(node.Channel.Take<FetchSnapshotRequest>());
            var partition = Assert.Single(Assert.Single(request.Topics).Partitions);
            Assert.Equal((2, position, 40L, 3, 4), (destination, (int)partition.Position, partition.SnapshotId.EndOffset, partition.SnapshotId.Epoch,
                partition.CurrentLeaderEpoch));
            var length = Math.Min(37, snapshot.Length - position);
            respond(FetchSnapshotAnswer(snapshotId, snapshot.Length, position, snapshot.AsMemory(position, length)));
            node.Poll();
            position += length;
        }

        Assert.Equal((40L, 40L, 3), (node.Log.StartOffset, node.Log.EndOffset, node.Log.LastFetchedEpoch));
        Assert.Equal(snapshotId, node.Log.LatestSnapshotId);
        Assert.Equal(40, node.Client.HighWatermark);
        var loaded = Assert.Single(node.Listener.Snapshots);
        Assert.Equal(["s1", "s2", "s3"], loaded.Batches.SelectMany(static b => b.Records).Select(static r => Encoding.UTF8.GetString(r.Span)));
        var (_, fetch, _) = Assert.Single(node.Channel.Take<FetchRequest>());
        Assert.Equal((40L, 3), (RaftMessages.Single(fetch).FetchOffset, RaftMessages.Single(fetch).LastFetchedEpoch));
    }

    [Fact]
    public void Follower_SnapshotGoneFromTheLeader_StartsOverWithAFetch()
    {
        using var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        node.Request(RaftMessages.BeginQuorumEpoch(leaderId: 2, epoch: 4));
        var snapshotId = new OffsetAndEpoch(40, 3);
        node.Channel.Take<FetchRequest>().Single()
            .Respond(RaftMessages.FetchAnswer(2, 4, highWatermark: 45, ReadOnlyMemory<byte>.Empty, snapshotId: snapshotId));
        node.Poll();

        var (_, _, respond) = Assert.Single(node.Channel.Take<FetchSnapshotRequest>());
        var gone = FetchSnapshotAnswer(snapshotId, 0, 0, ReadOnlyMemory<byte>.Empty);
        SinglePartition(gone).ErrorCode = (short)ErrorCode.SnapshotNotFound;
        SinglePartition(gone).SnapshotId = new FetchSnapshotResponse.SnapshotId();
        respond(gone);
        node.Poll();

        Assert.Single(node.Channel.Take<FetchRequest>());
        Assert.Null(node.Log.LatestSnapshotId);
    }

    private static RaftNodeFixture SingleVoterWithSnapshot()
    {
        var node = new RaftNodeFixture(1, [1]);
        node.Start();
        node.Client.ScheduleAtomicAppend(1, RaftMessages.Records("a", "b"));
        node.Poll();
        using var writer = node.Client.CreateSnapshot(new OffsetAndEpoch(3, 1), lastContainedLogTimestampMs: 1_234);
        writer.Append(RaftMessages.Records("state"));
        writer.Freeze();
        return node;
    }

    /// <summary>Node 1 leads three voters; "a" at offset 1 is committed and snapshotted at 2, the log before it deleted.</summary>
    private static RaftNodeFixture LeaderWithSnapshot()
    {
        var node = new RaftNodeFixture(1, ThreeVoters);
        node.Start();
        ElectionHelpers.ElectNodeOne(node);
        node.Client.ScheduleAtomicAppend(1, RaftMessages.Records("a"));
        node.Poll();
        node.Request(RaftMessages.Fetch(2, 1, 2, 1));
        Assert.Equal(2, node.Client.HighWatermark);
        using var writer = node.Client.CreateSnapshot(new OffsetAndEpoch(2, 1), 0);
        writer.Append(RaftMessages.Records(new string('x', 200)));
        writer.Freeze();
        Assert.Equal(2, node.Log.StartOffset);
        return node;
    }

    private static FetchSnapshotRequest FetchSnapshot(long endOffset, int snapshotEpoch, long position, int maxBytes, int epoch = 1) => new()
    {
        ClusterId = RaftNodeFixture.ClusterId,
        ReplicaId = 3,
        MaxBytes = maxBytes,
        Topics =
        [
            new FetchSnapshotRequest.TopicSnapshot
            {
                Name = MetadataTopicPartition.TopicName,
                Partitions =
                [
                    new FetchSnapshotRequest.PartitionSnapshot
                    {
                        CurrentLeaderEpoch = epoch,
                        SnapshotId = new FetchSnapshotRequest.SnapshotId { EndOffset = endOffset, Epoch = snapshotEpoch },
                        Position = position,
                    },
                ],
            },
        ],
    };

    private static FetchSnapshotResponse FetchSnapshotAnswer(OffsetAndEpoch snapshotId, long size, long position, ReadOnlyMemory<byte> bytes) => new()
    {
        Topics =
        [
            new FetchSnapshotResponse.TopicSnapshot
            {
                Name = MetadataTopicPartition.TopicName,
                Partitions =
                [
                    new FetchSnapshotResponse.PartitionSnapshot
                    {
                        SnapshotId = new FetchSnapshotResponse.SnapshotId { EndOffset = snapshotId.Offset, Epoch = snapshotId.Epoch },
                        CurrentLeader = new FetchSnapshotResponse.LeaderIdAndEpoch { LeaderId = 2, LeaderEpoch = 4 },
                        Size = size,
                        Position = position,
                        UnalignedRecords = bytes,
                    },
                ],
            },
        ],
    };

    private static FetchSnapshotResponse.PartitionSnapshot SinglePartition(FetchSnapshotResponse response) =>
        Assert.Single(Assert.Single(response.Topics).Partitions);

    /// <summary>A snapshot as a leader would have written it: header, one data batch, footer.</summary>
    private static byte[] SnapshotBytes(OffsetAndEpoch snapshotId, params string[] values)
    {
        var header = RaftBatches.BuildControl(0, snapshotId.Epoch, 0, ControlRecordType.SnapshotHeader,
            new SnapshotHeaderRecord { LastContainedLogTimestamp = 99 });
        var data = RaftBatches.BuildData(1, snapshotId.Epoch, 0, RaftMessages.Records(values));
        var footer = RaftBatches.BuildControl(1 + values.Length, snapshotId.Epoch, 0, ControlRecordType.SnapshotFooter, new SnapshotFooterRecord());
        return [.. header, .. data, .. footer];
    }

    private static byte[] ReadAll(MemoryRaftLog log, OffsetAndEpoch snapshotId)
    {
        using var reader = log.ReadSnapshot(snapshotId)!;
        return reader.Slice(0, (int)reader.SizeInBytes).ToArray();
    }
}
