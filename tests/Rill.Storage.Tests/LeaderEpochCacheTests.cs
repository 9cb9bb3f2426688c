using Rill.Common;
using Rill.Storage.Tests.Records;

namespace Rill.Storage.Tests;

/// <summary>The leader epoch cache: Kafka's assign and endOffsetFor rules, its checkpoint file byte for byte, and its rebuild at load.</summary>
public sealed class LeaderEpochCacheTests : IDisposable
{
    private const long T0 = 1_700_000_000_000;

    private readonly StorageFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private string CheckpointPath => Path.Combine(_fixture.PartitionDir(StorageFixture.Partition), "leader-epoch-checkpoint");

    private static byte[] Batch(long baseOffset, int count, int epoch) => LogFollowerAppendTests.LeaderBatch(baseOffset, count, epoch, T0 + baseOffset);

    private static LeaderEpochFileCache Cache(params (int Epoch, long StartOffset)[] entries) =>
        new(Path.GetTempPath(), [.. entries.Select(e => new EpochEntry(e.Epoch, e.StartOffset))]);

    [Theory]
    [InlineData(6, 6, 30L)]
    [InlineData(5, 3, 20L)]
    [InlineData(4, 3, 20L)]
    [InlineData(3, 3, 20L)]
    [InlineData(2, 1, 10L)]
    [InlineData(1, 1, 10L)]
    [InlineData(0, 0, 0L)]
    [InlineData(7, -1, -1L)]
    [InlineData(-1, -1, -1L)]
    public void EndOffsetFor_FollowsKafkasRules(int requested, int epoch, long endOffset)
    {
        var cache = Cache((1, 0), (3, 10), (6, 20));

        Assert.Equal((epoch, endOffset), cache.EndOffsetFor(requested, logEndOffset: 30));
    }

    [Fact]
    public void EndOffsetFor_AnEmptyCache_IsUndefined() => Assert.Equal((-1, -1L), Cache().EndOffsetFor(0, 30));

    [Fact]
    public void Assign_TheLatestEpochAgainAtALaterOffset_ChangesNothing()
    {
        var cache = Cache((1, 0), (3, 10));

        Assert.False(cache.Assign(3, 15, out _));
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(3, 10)], cache.Entries);
    }

    [Fact]
    public void Assign_TheLatestEpochAtAnEarlierOffset_MovesItsStart()
    {
        var cache = Cache((1, 0), (3, 10));

        Assert.True(cache.Assign(3, 8, out var conflicting));
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(3, 8)], cache.Entries);
        Assert.True(conflicting);
    }

    [Fact]
    public void Assign_AnEpochBelowTheLatest_DropsTheEntriesItConflictsWith()
    {
        var cache = Cache((1, 0), (3, 10), (6, 20));

        Assert.True(cache.Assign(4, 15, out var conflicting));
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(3, 10), new EpochEntry(4, 15)], cache.Entries);
        Assert.True(conflicting);
    }

    [Fact]
    public void Assign_ReplacingAnEntryThatHeldNoRecords_IsNoConflict()
    {
        var cache = Cache((1, 0), (3, 10));

        Assert.True(cache.Assign(4, 10, out var conflicting));
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(4, 10)], cache.Entries);
        Assert.False(conflicting);
    }

    [Theory]
    [InlineData(5L, new[] { 1, 3, 6 }, new[] { 5L, 10, 20 })]
    [InlineData(10L, new[] { 3, 6 }, new[] { 10L, 20 })]
    [InlineData(12L, new[] { 3, 6 }, new[] { 12L, 20 })]
    [InlineData(0L, new[] { 1, 3, 6 }, new[] { 0L, 10, 20 })]
    [InlineData(25L, new[] { 6 }, new[] { 25L })]
    public void TruncateFromStart_CollapsesTheEntriesBeforeTheStartIntoOne(long startOffset, int[] epochs, long[] starts)
    {
        var cache = Cache((1, 0), (3, 10), (6, 20));

        cache.TruncateFromStart(startOffset);

        Assert.Equal(epochs.Zip(starts, (e, s) => new EpochEntry(e, s)), cache.Entries);
    }

    [Fact]
    public void AppendAsLeader_NewEpochs_AreWrittenInKafkasCheckpointFormat()
    {
        var log = _fixture.CreateLog();
        Assert.False(File.Exists(CheckpointPath));

        StorageFixture.Append(log, TestBatches.Build(3, T0), leaderEpoch: 0);
        Assert.Equal("0\n1\n0 0\n"u8.ToArray(), File.ReadAllBytes(CheckpointPath));
        StorageFixture.Append(log, TestBatches.Build(2, T0), leaderEpoch: 0);
        StorageFixture.Append(log, TestBatches.Build(2, T0), leaderEpoch: 3);
        StorageFixture.Append(log, TestBatches.Build(1, T0), leaderEpoch: 12);

        Assert.Equal("0\n3\n0 0\n3 5\n12 7\n"u8.ToArray(), File.ReadAllBytes(CheckpointPath));
        Assert.False(File.Exists(CheckpointPath + ".tmp"));
        Assert.Equal(12, log.LatestEpoch);
        Assert.Equal((3, 7L), log.EndOffsetForEpoch(5));
        Assert.Equal((12, 8L), log.EndOffsetForEpoch(12));
    }

    [Fact]
    public void AssignEpochStartOffset_ANewLeadersEpoch_AnswersOffsetForLeaderEpochBeforeItWrites()
    {
        var log = _fixture.CreateLog();
        log.AppendAsFollower(Batch(0, 4, 2));

        log.AssignEpochStartOffset(5, log.LogEndOffset);

        Assert.Equal((2, 4L), log.EndOffsetForEpoch(3));
        Assert.Equal((5, 4L), log.EndOffsetForEpoch(5));
        Assert.Equal("0\n2\n2 0\n5 4\n", File.ReadAllText(CheckpointPath));
        StorageFixture.Append(log, TestBatches.Build(1, T0), leaderEpoch: 5);
        Assert.Equal([new EpochEntry(2, 0), new EpochEntry(5, 4)], log.LeaderEpochEntries);
    }

    [Fact]
    public void DeleteRecordsAndRetention_MoveTheFirstEntry_AndACleanShutdownWritesIt()
    {
        var config = LogConfig.Default with { SegmentBytes = Batch(0, 2, 1).Length * 2 };
        var log = _fixture.CreateLog(config);
        log.AppendAsFollower(TestBatches.Concat(Batch(0, 2, 1), Batch(2, 2, 1), Batch(4, 2, 3), Batch(6, 2, 3), Batch(8, 2, 4)));
        log.HighWatermark = 10;

        Assert.Equal(ErrorCode.None, log.DeleteRecordsBefore(5).ErrorCode);
        Assert.Equal([new EpochEntry(3, 5), new EpochEntry(4, 8)], log.LeaderEpochEntries);
        Assert.Equal("0\n3\n1 0\n3 4\n4 8\n", File.ReadAllText(CheckpointPath));
        Assert.Equal(1, _fixture.Manager.RunRetention());
        Assert.Equal((4L, 5L), (log.SegmentBaseOffsets[0], log.LogStartOffset));

        _fixture.Shutdown();

        Assert.Equal("0\n2\n3 5\n4 8\n", File.ReadAllText(CheckpointPath));
        _fixture.Reopen(config);
        Assert.Equal([new EpochEntry(3, 5), new EpochEntry(4, 8)], _fixture.ReopenedLog().LeaderEpochEntries);
    }

    [Fact]
    public void Reopen_AfterACrashWithTheFileStale_AppliesTheLogStartAgain()
    {
        var log = _fixture.CreateLog();
        log.AppendAsFollower(TestBatches.Concat(Batch(0, 2, 1), Batch(2, 2, 3)));
        log.HighWatermark = 4;
        log.DeleteRecordsBefore(3);
        _fixture.Manager.WriteCheckpoints();
        _fixture.Crash();

        var result = _fixture.Reopen();

        Assert.Empty(Assert.Single(result.Logs).Findings);
        Assert.Equal([new EpochEntry(3, 3)], _fixture.ReopenedLog().LeaderEpochEntries);
    }

    /// <summary>Garbage, a wrong version, a wrong count, a short line, epochs or offsets descending, a latest epoch that is not the last batch's.</summary>
    public static TheoryData<string> BrokenCheckpoints =>
    [
        "not a checkpoint\n",
        "1\n1\n1 0\n",
        "0\n3\n1 0\n3 4\n",
        "0\n2\n1 0\n3\n",
        "0\n2\n3 0\n1 4\n",
        "0\n2\n1 4\n3 0\n",
        "0\n1\n1 0\n",
        "0\n3\n1 0\n3 4\n9 5\n",
    ];

    [Theory]
    [MemberData(nameof(BrokenCheckpoints))]
    public void Reopen_WithABrokenOrInconsistentCheckpoint_RebuildsItFromTheBatches(string content)
    {
        var log = _fixture.CreateLog();
        log.AppendAsFollower(TestBatches.Concat(Batch(0, 2, 1), Batch(2, 2, 1), Batch(4, 1, 3), Batch(5, 3, 3)));
        _fixture.Shutdown();
        File.WriteAllText(CheckpointPath, content);

        var result = _fixture.Reopen();

        var finding = Assert.Single(Assert.Single(result.Logs).Findings);
        Assert.Equal(CorruptionReason.LeaderEpochCheckpointInvalid, finding.Reason);
        Assert.Contains("rebuilt from the batches: epoch 1 from 0, epoch 3 from 4", finding.Detail);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(3, 4)], _fixture.ReopenedLog().LeaderEpochEntries);
        Assert.Equal("0\n2\n1 0\n3 4\n", File.ReadAllText(CheckpointPath));
    }

    [Fact]
    public void Reopen_WithTheCheckpointMissing_RebuildsItFromEverySegment()
    {
        var config = LogConfig.Default with { SegmentBytes = Batch(0, 2, 1).Length * 2 };
        var log = _fixture.CreateLog(config);
        log.AppendAsFollower(TestBatches.Concat(Batch(0, 2, 1), Batch(2, 2, 2), Batch(4, 2, 2), Batch(6, 2, 7), Batch(8, 2, -1)));
        _fixture.Crash();
        File.Delete(CheckpointPath);

        var result = _fixture.Reopen(config);

        var finding = Assert.Single(Assert.Single(result.Logs).Findings);
        Assert.Equal(CorruptionReason.LeaderEpochCheckpointInvalid, finding.Reason);
        Assert.Contains("is missing", finding.Detail);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 2), new EpochEntry(7, 6)], _fixture.ReopenedLog().LeaderEpochEntries);
        Assert.Equal("0\n3\n1 0\n2 2\n7 6\n", File.ReadAllText(CheckpointPath));
    }

    [Fact]
    public void Reopen_AnEmptyLogWithAnEmptyCheckpointFile_FindsNothing()
    {
        _fixture.CreateLog();
        _fixture.Shutdown();
        File.WriteAllText(CheckpointPath, "");

        var result = _fixture.Reopen();

        Assert.Empty(Assert.Single(result.Logs).Findings);
        Assert.Empty(_fixture.ReopenedLog().LeaderEpochEntries);
        Assert.Null(_fixture.ReopenedLog().LatestEpoch);
    }

    [Fact]
    public void Reopen_AfterACrashThatLostTheTail_DropsTheEpochsThatStartedInIt()
    {
        var log = _fixture.CreateLog();
        log.AppendAsFollower(TestBatches.Concat(Batch(0, 2, 1), Batch(2, 2, 1)));
        var tornAt = new FileInfo(_fixture.SegmentFile(0, ".log")).Length;
        log.AppendAsFollower(Batch(4, 2, 5));
        _fixture.Crash();
        using (var file = File.OpenWrite(_fixture.SegmentFile(0, ".log")))
        {
            file.SetLength(tornAt + 10);
        }

        var result = _fixture.Reopen();

        var info = Assert.Single(result.Logs);
        Assert.Equal(CorruptionReason.TruncatedBatch, Assert.Single(info.Findings).Reason);
        Assert.Equal(4, _fixture.ReopenedLog().LogEndOffset);
        Assert.Equal([new EpochEntry(1, 0)], _fixture.ReopenedLog().LeaderEpochEntries);
        Assert.Equal("0\n1\n1 0\n", File.ReadAllText(CheckpointPath));
    }
}
