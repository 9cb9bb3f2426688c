using System.Runtime.InteropServices;
using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Records;
using Rill.Storage.Tests.Records;

namespace Rill.Storage.Tests;

/// <summary>A follower removing what diverged from its leader: exact bytes, offsets and epochs kept, across segments and restarts.</summary>
public sealed class LogTruncationTests : IDisposable
{
    private readonly StorageFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    /// <summary>The fixture's clock at the start, so retention by time never removes these batches.</summary>
    private const long T0 = 1_700_000_000_000;

    /// <summary>Below the cut, at a batch boundary of both states above it, and inside a batch of each.</summary>
    private static readonly long[] ReadOffsets = [16, 26, 30, 57];

    private static byte[] Batch(long baseOffset, int count, int epoch) => LogFollowerAppendTests.LeaderBatch(baseOffset, count, epoch, T0 + baseOffset);

    /// <summary>Batches of 2 records at 0, 2, 4, ... in epochs 1 (offsets 0-5), 2 (6-9) and 4 (10-).</summary>
    private static byte[][] Batches(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Batch(i * 2L, 2, i < 3 ? 1 : i < 5 ? 2 : 4))];

    private Log FollowerLog(byte[][] batches, LogConfig? config = null)
    {
        var log = _fixture.CreateLog(config);
        Assert.Equal(ErrorCode.None, log.AppendAsFollower(TestBatches.Concat(batches)).ErrorCode);
        return log;
    }

    [Fact]
    public void TruncateTo_ABatchBoundaryInTheActiveSegment_CutsTheFileIndexesAndEpochs()
    {
        var batches = Batches(7);
        var log = FollowerLog(batches, LogConfig.Default with { IndexIntervalBytes = 0 });
        log.HighWatermark = 12;

        log.TruncateTo(8);

        Assert.Equal((8L, 8L, 0L), (log.LogEndOffset, log.HighWatermark, log.LogStartOffset));
        Assert.Equal(TestBatches.Concat(batches[..4]), File.ReadAllBytes(_fixture.SegmentFile(0, ".log")));
        Assert.Equal(TestBatches.Concat(batches[..4]), StorageFixture.ReadAll(log));
        Assert.Equal(3 * OffsetIndex.EntrySize, new FileInfo(_fixture.SegmentFile(0, ".index")).Length);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 6)], log.LeaderEpochEntries);
        Assert.Equal("0\n2\n1 0\n2 6\n", File.ReadAllText(Path.Combine(log.Dir, "leader-epoch-checkpoint")));
        Assert.Equal((2, 8L), log.EndOffsetForEpoch(2));
        Assert.Equal((1, 6L), log.EndOffsetForEpoch(1));
        Assert.Equal((-1, -1L), log.EndOffsetForEpoch(4));
        Assert.Equal(new TimestampOffset(T0 + 7, 7), log.FindMaxTimestamp());
    }

    [Fact]
    public void TruncateTo_ThenAppend_ContinuesAtTheOffsetAndSurvivesACrash()
    {
        var batches = Batches(7);
        var log = FollowerLog(batches);
        log.TruncateTo(6);
        var replacement = Batch(6, 3, 5);

        var result = log.AppendAsFollower(replacement.ToArray());
        _fixture.Crash();
        _fixture.Reopen();
        var reopened = _fixture.ReopenedLog();

        Assert.Equal((6L, 8L), (result.FirstOffset, result.LastOffset));
        Assert.Equal(9, reopened.LogEndOffset);
        Assert.Equal(TestBatches.Concat([.. batches[..3], replacement]), StorageFixture.ReadAll(reopened));
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(5, 6)], reopened.LeaderEpochEntries);
    }

    [Fact]
    public void TruncateTo_AnOffsetInAnEarlierSegment_DeletesTheLaterSegmentsAndCutsThatOne()
    {
        var batches = Batches(9);
        var config = LogConfig.Default with { SegmentBytes = batches[0].Length * 3, FileDeleteDelayMs = 0 };
        var log = FollowerLog(batches, config);
        Assert.Equal([0L, 6, 12], log.SegmentBaseOffsets);

        log.TruncateTo(8);

        Assert.Equal([0L, 6], log.SegmentBaseOffsets);
        Assert.Equal(8, log.LogEndOffset);
        Assert.Equal(TestBatches.Concat(batches[3..4]), File.ReadAllBytes(_fixture.SegmentFile(6, ".log")));
        Assert.False(File.Exists(_fixture.SegmentFile(12, ".log")));
        Assert.True(File.Exists(_fixture.SegmentFile(12, ".log.deleted")));
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 6)], log.LeaderEpochEntries);

        _fixture.Manager.RunRetention();
        Assert.False(File.Exists(_fixture.SegmentFile(12, ".log.deleted")));
        Assert.Equal(TestBatches.Concat(batches[..4]), StorageFixture.ReadAll(log));
    }

    [Fact]
    public void TruncateTo_TheBaseOffsetOfASegment_LeavesItEmptyAsTheActiveSegment()
    {
        var batches = Batches(9);
        var config = LogConfig.Default with { SegmentBytes = batches[0].Length * 3 };
        var log = FollowerLog(batches, config);

        log.TruncateTo(6);

        Assert.Equal([0L, 6], log.SegmentBaseOffsets);
        Assert.Equal(0, new FileInfo(_fixture.SegmentFile(6, ".log")).Length);
        Assert.Equal(6, log.LogEndOffset);
        Assert.Equal(ErrorCode.None, log.AppendAsFollower(Batch(6, 1, 7)).ErrorCode);
        Assert.Equal([0L, 6], log.SegmentBaseOffsets);
    }

    [Fact]
    public void TruncateTo_InsideABatch_RemovesTheWholeBatch()
    {
        var batches = Batches(5);
        var log = FollowerLog(batches);

        log.TruncateTo(7);

        Assert.Equal(6, log.LogEndOffset);
        Assert.Equal(TestBatches.Concat(batches[..3]), StorageFixture.ReadAll(log));
        Assert.Equal([new EpochEntry(1, 0)], log.LeaderEpochEntries);
    }

    [Fact]
    public void TruncateTo_AtTheLogEnd_KeepsTheRecordsButDropsAnEpochStartedThere()
    {
        var batches = Batches(3);
        var log = FollowerLog(batches);
        log.AssignEpochStartOffset(9, 6);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(9, 6)], log.LeaderEpochEntries);

        log.TruncateTo(6);

        Assert.Equal(6, log.LogEndOffset);
        Assert.Equal(TestBatches.Concat(batches), StorageFixture.ReadAll(log));
        Assert.Equal([new EpochEntry(1, 0)], log.LeaderEpochEntries);
        Assert.Equal("0\n1\n1 0\n", File.ReadAllText(Path.Combine(log.Dir, "leader-epoch-checkpoint")));
    }

    [Fact]
    public void TruncateTo_BelowTheLogStart_MovesTheLogStartDown()
    {
        var batches = Batches(5);
        var log = FollowerLog(batches);
        log.HighWatermark = 10;
        Assert.Equal(ErrorCode.None, log.DeleteRecordsBefore(6).ErrorCode);

        log.TruncateTo(4);

        Assert.Equal((4L, 4L, 4L), (log.LogStartOffset, log.LogEndOffset, log.HighWatermark));
        Assert.Empty(log.LeaderEpochEntries);
        Assert.Equal(ErrorCode.None, log.AppendAsFollower(Batch(4, 2, 3)).ErrorCode);
        Assert.Equal(Batch(4, 2, 3), StorageFixture.ReadAll(log, 4));
        Assert.Equal([new EpochEntry(3, 4)], log.LeaderEpochEntries);
    }

    [Fact]
    public void TruncateTo_BelowTheFirstSegment_EmptiesTheLogAndStartsItThere()
    {
        var batches = Batches(9);
        var config = LogConfig.Default with { SegmentBytes = batches[0].Length * 3 };
        var log = FollowerLog(batches, config);
        log.HighWatermark = 18;
        log.DeleteRecordsBefore(12);
        _fixture.Manager.RunRetention();
        Assert.Equal([12L], log.SegmentBaseOffsets);

        log.TruncateTo(7);

        Assert.Equal([7L], log.SegmentBaseOffsets);
        Assert.Equal((7L, 7L), (log.LogStartOffset, log.LogEndOffset));
        Assert.Empty(log.LeaderEpochEntries);
    }

    [Fact]
    public void TruncateTo_LowersTheRecoveryPointOnDiskBeforeTheNextAppend()
    {
        var batches = Batches(5);
        var log = FollowerLog(batches, LogConfig.Default with { FlushMessages = 1 });
        _fixture.Manager.WriteCheckpoints();
        Assert.Equal("0\n1\norders 0 10\n", File.ReadAllText(Path.Combine(_fixture.LogDir, LogManager.RecoveryPointCheckpointFileName)));

        log.TruncateTo(4);

        Assert.Equal(4, log.RecoveryPoint);
        Assert.Equal("0\n1\norders 0 4\n", File.ReadAllText(Path.Combine(_fixture.LogDir, LogManager.RecoveryPointCheckpointFileName)));
    }

    [Fact]
    public void TruncateFullyAndStartAt_EmptiesTheLogAndNewAppendsStartThere_AlsoAfterARestart()
    {
        var batches = Batches(5);
        var log = FollowerLog(batches, LogConfig.Default with { FileDeleteDelayMs = 0 });
        log.HighWatermark = 10;

        log.TruncateFullyAndStartAt(100);

        Assert.Equal((100L, 100L, 100L, 100L), (log.LogStartOffset, log.LogEndOffset, log.HighWatermark, log.RecoveryPoint));
        Assert.Equal([100L], log.SegmentBaseOffsets);
        Assert.Equal(0, new FileInfo(_fixture.SegmentFile(100, ".log")).Length);
        Assert.True(File.Exists(_fixture.SegmentFile(0, ".log.deleted")));
        Assert.Empty(log.LeaderEpochEntries);
        Assert.Equal("0\n0\n", File.ReadAllText(Path.Combine(log.Dir, "leader-epoch-checkpoint")));
        using (var read = log.Read(0, 1000, 100, minOneBatch: true))
        {
            Assert.Equal(ErrorCode.OffsetOutOfRange, read.ErrorCode);
        }

        var appended = Batch(100, 3, 6);
        Assert.Equal(ErrorCode.None, log.AppendAsFollower(appended.ToArray()).ErrorCode);
        _fixture.Crash();
        _fixture.Reopen();
        var reopened = _fixture.ReopenedLog();

        Assert.Equal((100L, 103L), (reopened.LogStartOffset, reopened.LogEndOffset));
        Assert.Equal(appended, StorageFixture.ReadAll(reopened, 100));
        Assert.Equal([new EpochEntry(6, 100)], reopened.LeaderEpochEntries);
        Assert.False(File.Exists(_fixture.SegmentFile(0, ".log.deleted")));
    }

    [Fact]
    public void Reopen_AfterACrashThatDeletedTheLaterSegmentsBeforeTheCut_IsAPrefixOfTheOldLog()
    {
        var batches = Batches(9);
        var config = LogConfig.Default with { SegmentBytes = batches[0].Length * 3 };
        FollowerLog(batches, config);
        _fixture.Crash();

        // What TruncateTo(8) leaves when the process dies after renaming the later segment, before cutting segment 6.
        foreach (var suffix in new[] { ".log", ".index", ".timeindex" })
        {
            File.Move(_fixture.SegmentFile(12, suffix), _fixture.SegmentFile(12, suffix + ".deleted"));
        }

        _fixture.Reopen(config);
        var reopened = _fixture.ReopenedLog();

        Assert.Equal(12, reopened.LogEndOffset);
        Assert.Equal(TestBatches.Concat(batches[..6]), StorageFixture.ReadAll(reopened));
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(2, 6), new EpochEntry(4, 10)], reopened.LeaderEpochEntries);
        reopened.TruncateTo(8);
        Assert.Equal(TestBatches.Concat(batches[..4]), StorageFixture.ReadAll(reopened));
    }

    [Fact]
    public void Reopen_AfterACrashBetweenTheCutAndTheEpochCheckpoint_DropsTheEpochsPastTheEnd()
    {
        var batches = Batches(7);
        FollowerLog(batches);
        var checkpoint = Path.Combine(_fixture.PartitionDir(StorageFixture.Partition), "leader-epoch-checkpoint");
        var before = File.ReadAllText(checkpoint);
        _fixture.ReopenedLog().TruncateTo(6);
        _fixture.Crash();
        File.WriteAllText(checkpoint, before);

        var result = _fixture.Reopen();
        var reopened = _fixture.ReopenedLog();

        Assert.Empty(Assert.Single(result.Logs).Findings);
        Assert.Equal(6, reopened.LogEndOffset);
        Assert.Equal([new EpochEntry(1, 0)], reopened.LeaderEpochEntries);
        Assert.Equal("0\n1\n1 0\n", File.ReadAllText(checkpoint));
    }

    [Fact]
    public void CutBelow_TellsAReaderWhetherACutSinceItLookedReachedWhatItRead()
    {
        var batches = Batches(5);
        var log = FollowerLog(batches);
        var segment = log.Segments[0];
        var before = segment.CutCount;
        var cutAt = batches[0].Length * 2L;

        log.TruncateTo(4);

        Assert.Equal(before + 1, segment.CutCount);
        Assert.False(segment.CutBelow(before, cutAt));
        Assert.True(segment.CutBelow(before, cutAt + 1));
        Assert.False(segment.CutBelow(segment.CutCount, long.MaxValue));
    }

    [Fact]
    public void ReadFileRegion_OfBatchesATruncationCutAndAppendsOverwrote_FailsItsCopyCleanly()
    {
        var batches = Batches(5);
        var log = FollowerLog(batches);
        using var cut = log.ReadFileRegion(4, int.MaxValue, 10, minOneBatch: true);
        using var kept = log.ReadFileRegion(0, batches[0].Length * 2, 10, minOneBatch: true);

        log.TruncateTo(4);
        Assert.Equal(ErrorCode.None, log.AppendAsFollower(Batch(4, 3, 7)).ErrorCode);

        var destination = new byte[cut.Records.Length];
        Assert.True(MemoryMarshal.TryGetMemoryManager(cut.Records, out RecordsRegionManager? region, out var start, out _));
        Assert.Throws<LogTruncatedException>(() => region.CopyTo(start, destination));
        Assert.Equal(TestBatches.Concat(batches[..2]), kept.Records.Span.ToArray());
    }

    [Fact]
    public void ReadFileRegion_OfASegmentTheTruncationDeleted_KeepsItsBytes()
    {
        var batches = Batches(9);
        var log = FollowerLog(batches, LogConfig.Default with { SegmentBytes = batches[0].Length * 3 });
        using var region = log.ReadFileRegion(12, int.MaxValue, 18, minOneBatch: true);

        log.TruncateTo(8);
        log.AppendAsFollower(Batch(8, 20, 7));

        Assert.Equal(TestBatches.Concat(batches[6..]), region.Records.Span.ToArray());
    }

    [Fact]
    public async Task Read_DuringTruncationsAndAppends_ReturnsOnlyWholeBatchesOfOneState()
    {
        var old = Batches(50);
        var log = FollowerLog(old, LogConfig.Default with { IndexIntervalBytes = 0 });

        // Batches of 3 records from 20 where the old log has batches of 2: above the cut, a position of one state is
        // inside a batch of the other, so a read that mixed them would find garbage where it expects a batch.
        var replacement = Enumerable.Range(0, 26).Select(i => Batch(20 + (i * 3L), 3, 9)).ToArray();
        byte[][] otherState = [.. old[..10], .. replacement];
        byte[] Expected(byte[][] state, long offset) => TestBatches.Concat([.. state.Where(b => RecordBatch.GetLastOffset(b) >= offset)]);
        var expected = ReadOffsets.ToDictionary(o => o, o => (Old: Expected(old, o), New: Expected(otherState, o)));

        using var stop = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(() =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var offset = expected.Keys.ElementAt(i % expected.Count);
                using var read = log.Read(offset, 4000, long.MaxValue, minOneBatch: true);
                if (read.ErrorCode == ErrorCode.None && !read.Records.IsEmpty)
                {
                    var bytes = read.Records.ToArray();
                    var (a, b) = expected[offset];
                    Assert.True(bytes.AsSpan().SequenceEqual(a.AsSpan(0, Math.Min(bytes.Length, a.Length)))
                        || bytes.AsSpan().SequenceEqual(b.AsSpan(0, Math.Min(bytes.Length, b.Length))),
                        $"a read of {bytes.Length} bytes from {offset} is not the log in either state");
                    Interlocked.Increment(ref reads);
                }
            }
        }, TestContext.Current.CancellationToken);

        // Until the reader, which may start late on a busy machine, has read across many truncations.
        for (var round = 0; round < 20 || (Volatile.Read(ref reads) < 300 && round < 5_000); round++)
        {
            log.TruncateTo(20);
            Assert.Equal(ErrorCode.None, log.AppendAsFollower(TestBatches.Concat(round % 2 == 0 ? replacement : old[10..])).ErrorCode);
        }

        await stop.CancelAsync();
        await reader;
        Assert.True(Volatile.Read(ref reads) >= 300);
    }
}
