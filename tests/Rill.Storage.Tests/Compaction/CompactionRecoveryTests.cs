using static Rill.Storage.Tests.Compaction.CompactionKit;

namespace Rill.Storage.Tests.Compaction;

/// <summary>Crash shapes of a compaction swap (RELIABILITY-NOTES R8): leave the files a crash would, reopen, check the log.</summary>
public sealed class CompactionRecoveryTests : IDisposable
{
    private readonly StorageFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Reopen_LeftoverCleanedFiles_AreDeletedAndTheLogIsUnchanged()
    {
        var expected = ReadRows(BuildLog(_fixture));
        _fixture.Crash();
        File.WriteAllBytes(_fixture.SegmentFile(0, ".log.cleaned"), [1, 2, 3]);
        File.WriteAllBytes(_fixture.SegmentFile(0, ".index.cleaned"), [1, 2, 3]);
        File.WriteAllBytes(_fixture.SegmentFile(0, ".timeindex.cleaned"), []);
        File.WriteAllBytes(_fixture.SegmentFile(2, ".index.swap"), [4]);

        var info = Assert.Single(_fixture.Reopen(Compacted).Logs);

        Assert.Empty(info.Findings);
        Assert.Equal(expected, ReadRows(_fixture.ReopenedLog()));
        Assert.Equal([0, 2, 3, 4], _fixture.ReopenedLog().SegmentBaseOffsets);
        Assert.Empty(Directory.GetFiles(_fixture.PartitionDir(StorageFixture.Partition), "*.cleaned"));
        Assert.Empty(Directory.GetFiles(_fixture.PartitionDir(StorageFixture.Partition), "*.swap"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reopen_InterruptedSwap_CompletesItWithTheSameSurvivors(bool replacedAlreadyRenamed)
    {
        // The cleaned segment a finished pass writes for the same log.
        byte[] swap;
        List<Row> expected;
        using (var source = new StorageFixture())
        {
            var compacted = BuildLog(source);
            Assert.Equal(1, Compact(source, compacted));
            swap = File.ReadAllBytes(source.SegmentFile(0, ".log"));
            expected = ReadRows(compacted);
            Assert.Equal([0, 4], compacted.SegmentBaseOffsets);
        }

        // This log crashed after the cleaned files became .swap; maybe after some replaced files became .deleted too.
        BuildLog(_fixture);
        _fixture.Crash();
        File.WriteAllBytes(_fixture.SegmentFile(0, ".log.swap"), swap);
        File.WriteAllBytes(_fixture.SegmentFile(0, ".index.swap"), [9, 9, 9]);
        if (replacedAlreadyRenamed)
        {
            File.Move(_fixture.SegmentFile(0, ".log"), _fixture.SegmentFile(0, ".log.deleted"));
            File.Move(_fixture.SegmentFile(2, ".log"), _fixture.SegmentFile(2, ".log.deleted"));
            File.Move(_fixture.SegmentFile(2, ".index"), _fixture.SegmentFile(2, ".index.deleted"));
        }

        var info = Assert.Single(_fixture.Reopen(Compacted).Logs);

        var finding = Assert.Single(info.Findings);
        Assert.Equal((0L, CorruptionReason.InterruptedSwap), (finding.SegmentBaseOffset, finding.Reason));
        var log = _fixture.ReopenedLog();
        Assert.Equal([0, 4], log.SegmentBaseOffsets);
        Assert.Equal(expected, ReadRows(log));
        Assert.Equal(5, log.LogEndOffset);
        Assert.Equal(
            [$"{0:D20}.index", $"{0:D20}.log", $"{0:D20}.timeindex", $"{4:D20}.index", $"{4:D20}.log", $"{4:D20}.timeindex", "leader-epoch-checkpoint"],
            Directory.GetFiles(_fixture.PartitionDir(StorageFixture.Partition)).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // The rebuilt indexes serve lookups, a clean restart accepts them, and the next pass does not redo the work.
        Assert.Equal(new TimestampOffset(_fixture.NowMs + 3, 3), log.FindOffsetByTimestamp(_fixture.NowMs + 3));
        _fixture.Shutdown();
        var clean = Assert.Single(_fixture.Reopen(Compacted).Logs);
        Assert.Equal((0, 0), (clean.SegmentsScanned, clean.IndexesRebuilt));
        Assert.Equal(expected, ReadRows(_fixture.ReopenedLog()));
    }

    [Fact]
    public void Reopen_AfterCompactionAndCrash_RecoversTheCleanedSegments()
    {
        var log = BuildLog(_fixture);
        Compact(_fixture, log);
        var expected = ReadRows(log);
        _fixture.Crash();

        var info = Assert.Single(_fixture.Reopen(Compacted).Logs);

        Assert.Empty(info.Findings);
        Assert.Equal((2, 0L), (info.SegmentsScanned, info.BytesTruncated));
        Assert.Equal(expected, ReadRows(_fixture.ReopenedLog()));
    }

    /// <summary>Segments 0 [a1 b1], 2 [a2], 3 [c1], active 4 [z]; timestamps now + offset.</summary>
    private static Log BuildLog(StorageFixture fixture)
    {
        var t = fixture.NowMs;
        var log = fixture.CreateLog(Compacted);
        AppendInNewSegment(log, Batch(t, ("a", "1"), ("b", "1")));
        AppendInNewSegment(log, Batch(t + 2, ("a", "2")));
        AppendInNewSegment(log, Batch(t + 3, ("c", "1")));
        AppendInNewSegment(log, Batch(t + 4, ("z", "z")));
        return log;
    }
}
