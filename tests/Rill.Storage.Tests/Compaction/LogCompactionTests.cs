using Rill.Common;
using Rill.Protocol.Records;
using static Rill.Storage.Tests.Compaction.CompactionKit;

namespace Rill.Storage.Tests.Compaction;

public sealed class LogCompactionTests : IDisposable
{
    private readonly StorageFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private long T => _fixture.NowMs;

    [Fact]
    public void RunCompaction_KeepsExactlyTheLatestRecordPerKeyWithItsOffsetAndTimestamp()
    {
        var log = BuildMixedLog();

        Assert.Equal(1, Compact(_fixture, log));

        Assert.Equal(
            [
                new Row(2, T + 2, "c", "c1"),
                new Row(4, T + 11, "b", "b2"),
                new Row(5, T + 12, "d", "d1"),
                new Row(6, T + 20, "a", "a3"),
                new Row(7, T + 21, "e", "e1"),
                new Row(8, T + 30, "a", "a4"),
                new Row(9, T + 31, "b", "b3"),
            ],
            ReadRows(log));

        // The emptied batch at offset 3 is gone; the others keep their first and last offsets.
        Assert.Equal([(0L, 2L, 1), (4L, 5L, 2), (6L, 7L, 2), (8L, 9L, 2)],
            ReadShapes(log).Select(s => (s.BaseOffset, s.LastOffset, s.RecordCount)));
        Assert.Equal([0, 8], log.SegmentBaseOffsets);
        Assert.Equal(10, log.LogEndOffset);
    }

    [Fact]
    public void RunCompaction_NeverTouchesTheActiveSegment()
    {
        var log = BuildMixedLog();
        var activeFile = _fixture.SegmentFile(8, ".log");
        var before = File.ReadAllBytes(activeFile);

        Compact(_fixture, log);

        Assert.Equal(before, File.ReadAllBytes(activeFile));
        Assert.Equal([("a", "a4"), ("b", "b3")], Pairs(ReadRows(log, 8)));
    }

    [Fact]
    public void Read_AtAnOffsetCompactionRemoved_ReturnsTheNextSurvivingBatch()
    {
        var log = BuildMixedLog();
        Compact(_fixture, log);

        foreach (var (fetchOffset, expectedBase) in new[] { (0L, 0L), (1L, 0L), (3L, 4L), (4L, 4L) })
        {
            using var result = log.Read(fetchOffset, int.MaxValue, log.LogEndOffset, minOneBatch: true);
            Assert.Equal(ErrorCode.None, result.ErrorCode);
            Assert.Equal(expectedBase, StorageFixture.BaseOffsets(result.Records.Span)[0]);
        }
    }

    [Fact]
    public void FindOffsetByTimestamp_AfterCompaction_FindsTheFirstSurvivorAtOrAfterTheTime()
    {
        var log = BuildMixedLog();
        Compact(_fixture, log);

        Assert.Equal(new TimestampOffset(T + 2, 2), log.FindOffsetByTimestamp(T));
        Assert.Equal(new TimestampOffset(T + 11, 4), log.FindOffsetByTimestamp(T + 10));
        Assert.Equal(new TimestampOffset(T + 30, 8), log.FindOffsetByTimestamp(T + 22));
        Assert.Null(log.FindOffsetByTimestamp(T + 32));
        Assert.Equal(new TimestampOffset(T + 31, 9), log.FetchOffsetByTimestamp(Log.MaxTimestamp));
    }

    [Fact]
    public void RunCompaction_MergesSmallCleanedSegmentsWithinSegmentBytes()
    {
        var log = _fixture.CreateLog(Compacted);
        for (var i = 0; i < 6; i++)
        {
            AppendInNewSegment(log, Batch(T, ("k", $"v{i}"), ($"u{i}", "x")));
        }

        AppendInNewSegment(log, Batch(T, ("z", "z")));
        var oneSegment = ReadBatchBytes(log, 10)[0].Length;
        log.Config = log.Config with { SegmentBytes = 2 * oneSegment };

        Compact(_fixture, log);

        // Kafka groups by the sizes before cleaning: two old segments per new one.
        Assert.Equal([0, 4, 8, 12], log.SegmentBaseOffsets);
        Assert.Equal(
            [("u0", "x"), ("u1", "x"), ("u2", "x"), ("u3", "x"), ("u4", "x"), ("k", "v5"), ("u5", "x"), ("z", "z")],
            Pairs(ReadRows(log)));
    }

    [Fact]
    public void RunCompaction_LeavesNoCleanedOrSwapFilesAndRemovesReplacedOnesAfterTheDeleteDelay()
    {
        var log = _fixture.CreateLog(Compacted with { FileDeleteDelayMs = 1_000 });
        AppendInNewSegment(log, Batch(T, ("a", "1")));
        AppendInNewSegment(log, Batch(T, ("a", "2")));
        AppendInNewSegment(log, Batch(T, ("z", "z")));

        Compact(_fixture, log);

        Assert.Equal(
            [$"{0:D20}.index", $"{0:D20}.index.deleted", $"{0:D20}.log", $"{0:D20}.log.deleted", $"{0:D20}.timeindex", $"{0:D20}.timeindex.deleted",
                $"{1:D20}.index.deleted", $"{1:D20}.log.deleted", $"{1:D20}.timeindex.deleted",
                $"{2:D20}.index", $"{2:D20}.log", $"{2:D20}.timeindex", "leader-epoch-checkpoint"],
            Files());
        _fixture.Time.Advance(TimeSpan.FromSeconds(1));
        _fixture.Manager.RunRetention();
        Assert.Equal(
            [$"{0:D20}.index", $"{0:D20}.log", $"{0:D20}.timeindex", $"{2:D20}.index", $"{2:D20}.log", $"{2:D20}.timeindex", "leader-epoch-checkpoint"],
            Files());
        Assert.Equal([("a", "2"), ("z", "z")], Pairs(ReadRows(log)));
    }

    [Fact]
    public void RunCompaction_DirtyRatioAtOrBelowTheMinimum_WaitsAsKafkaDoes()
    {
        var log = _fixture.CreateLog(Compacted with { MinCleanableDirtyRatio = 0.5 });
        for (var i = 1; i <= 3; i++)
        {
            AppendInNewSegment(log, Batch(T, ($"k{i}", "v")));
        }

        AppendInNewSegment(log, Batch(T, ("k4", "v")));
        Assert.Equal(1, Compact(_fixture, log));
        Assert.Equal(0, Compact(_fixture, log));

        // Equal-sized batches: 3 clean; then 2 dirty (0.4), 3 dirty (0.5, not above), 4 dirty (0.57).
        AppendInNewSegment(log, Batch(T, ("k5", "v")));
        AppendInNewSegment(log, Batch(T, ("k6", "v")));
        Assert.Equal(0, Compact(_fixture, log));
        AppendInNewSegment(log, Batch(T, ("k7", "v")));
        Assert.Equal(0, Compact(_fixture, log));
        AppendInNewSegment(log, Batch(T, ("k8", "v")));
        Assert.Equal(1, Compact(_fixture, log));
        Assert.Equal(8, ReadRows(log).Count);
    }

    [Fact]
    public void RunCompaction_BelowTheHighWatermarkOnly()
    {
        var log = _fixture.CreateLog(Compacted with { MinCleanableDirtyRatio = 0 });
        AppendInNewSegment(log, Batch(T, ("a", "1")));
        AppendInNewSegment(log, Batch(T, ("a", "2")));
        AppendInNewSegment(log, Batch(T, ("z", "z")));

        log.HighWatermark = 0;
        Assert.Equal(0, _fixture.Manager.RunCompaction());

        // Segment 1 holds offset 1, at the high watermark: only segment 0 is cleaned, and a2 is not in the map.
        log.HighWatermark = 1;
        Assert.Equal(1, _fixture.Manager.RunCompaction());
        Assert.Equal([("a", "1"), ("a", "2"), ("z", "z")], Pairs(ReadRows(log)));
        log.HighWatermark = 2;
        Assert.Equal(1, _fixture.Manager.RunCompaction());
        Assert.Equal([("a", "2"), ("z", "z")], Pairs(ReadRows(log)));
    }

    [Fact]
    public void RunCompaction_SegmentsYoungerThanMinCompactionLag_AreLeftForLater()
    {
        var log = _fixture.CreateLog(Compacted with { MinCompactionLagMs = 60_000, MinCleanableDirtyRatio = 0 });
        AppendInNewSegment(log, Batch(T - 120_000, ("a", "1"), ("b", "1"), ("a", "2")));
        AppendInNewSegment(log, Batch(T, ("a", "3")));
        AppendInNewSegment(log, Batch(T, ("z", "z")));

        // Only the old segment is cleanable, and a3 is not in the map yet, so a2 stays.
        Assert.Equal(1, Compact(_fixture, log));
        Assert.Equal([("b", "1"), ("a", "2"), ("a", "3"), ("z", "z")], Pairs(ReadRows(log)));
        Assert.Equal(0, Compact(_fixture, log));

        _fixture.Time.Advance(TimeSpan.FromMilliseconds(60_000));
        Assert.Equal(1, Compact(_fixture, log));
        Assert.Equal([("b", "1"), ("a", "3"), ("z", "z")], Pairs(ReadRows(log)));
    }

    [Fact]
    public void RunCompaction_SegmentOlderThanMaxCompactionLag_IsCompactedWhateverTheRatio()
    {
        var log = _fixture.CreateLog(Compacted with { MinCleanableDirtyRatio = 1.0, MaxCompactionLagMs = 60_000 });
        AppendInNewSegment(log, Batch(T, ("a", "1")));
        AppendInNewSegment(log, Batch(T, ("a", "2")));
        AppendInNewSegment(log, Batch(T, ("z", "z")));

        _fixture.Time.Advance(TimeSpan.FromMilliseconds(60_000));
        Assert.Equal(0, Compact(_fixture, log));
        _fixture.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, Compact(_fixture, log));
        Assert.Equal([("a", "2"), ("z", "z")], Pairs(ReadRows(log)));
    }

    [Fact]
    public void RunCompaction_Tombstones_SurviveDeleteRetentionMsThenVanish()
    {
        var t = T;
        var log = _fixture.CreateLog(Compacted with { DeleteRetentionMs = 10_000, MinCleanableDirtyRatio = 0.01 });
        AppendInNewSegment(log, Batch(t, ("a", "1"), ("b", "1")));
        AppendInNewSegment(log, Batch(t + 10, ("a", null), ("c", "1")));
        AppendInNewSegment(log, Batch(t, ("x", "1")));

        Assert.Equal(1, Compact(_fixture, log));
        Assert.Equal([new Row(1, t + 1, "b", "1"), new Row(2, t + 10, "a", null), new Row(3, t + 11, "c", "1"), new Row(4, t, "x", "1")], ReadRows(log));
        Assert.Equal([false, true, false], ReadShapes(log).Select(s => s.HasDeleteHorizon));
        Assert.Equal(t + 10_000, RecordBatch.GetDeleteHorizonMs(ReadBatchBytes(log)[1]));

        _fixture.Time.Advance(TimeSpan.FromMilliseconds(9_999));
        AppendInNewSegment(log, Batch(t, ("y", "1")));
        Assert.Equal(1, Compact(_fixture, log));
        Assert.Contains(new Row(2, t + 10, "a", null), ReadRows(log));

        _fixture.Time.Advance(TimeSpan.FromMilliseconds(1));
        AppendInNewSegment(log, Batch(t, ("w", "1")));
        Assert.Equal(1, Compact(_fixture, log));
        Assert.Equal([("b", "1"), ("c", "1"), ("x", "1"), ("y", "1"), ("w", "1")], Pairs(ReadRows(log)));
    }

    [Theory]
    [InlineData(CompressionCodec.None, false)]
    [InlineData(CompressionCodec.Gzip, false)]
    [InlineData(CompressionCodec.Snappy, false)]
    [InlineData(CompressionCodec.Snappy, true)]
    [InlineData(CompressionCodec.Lz4, false)]
    [InlineData(CompressionCodec.Zstd, false)]
    public void RunCompaction_CompressedBatches_AreRecompressedWithTheirOwnCodecAndStayReadable(CompressionCodec codec, bool xerial)
    {
        var log = _fixture.CreateLog(Compacted);
        AppendInNewSegment(log, Build(new RecordBatchBuilder(codec) { XerialSnappyFraming = xerial }, T, ("a", "1"), ("b", "1"), ("c", "1")));
        AppendInNewSegment(log, Build(new RecordBatchBuilder(codec) { XerialSnappyFraming = xerial }, T + 10, ("a", "2"), ("b", "2")));
        AppendInNewSegment(log, Build(new RecordBatchBuilder(codec) { XerialSnappyFraming = xerial }, T + 20, ("z", "z")));

        Assert.Equal(1, Compact(_fixture, log));

        Assert.Equal([new Row(2, T + 2, "c", "1"), new Row(3, T + 10, "a", "2"), new Row(4, T + 11, "b", "2"), new Row(5, T + 20, "z", "z")], ReadRows(log));
        var batches = ReadBatchBytes(log);
        Assert.All(batches, b => Assert.Equal(codec, RecordBatch.GetCompressionCodec(b)));
        Assert.Equal((0L, 2L, 1), (RecordBatch.GetBaseOffset(batches[0]), RecordBatch.GetLastOffset(batches[0]), RecordBatch.GetRecordsCount(batches[0])));
        if (codec == CompressionCodec.Snappy)
        {
            Assert.Equal(xerial, batches[0][RecordBatch.HeaderSize] == 0x82);
        }
    }

    [Fact]
    public void RunCompaction_LogAppendTimeBatches_KeepTheirAppendTime()
    {
        var log = _fixture.CreateLog(Compacted with { MessageTimestampType = TimestampType.LogAppendTime });
        AppendInNewSegment(log, Batch(5, ("a", "1"), ("b", "1")));
        AppendInNewSegment(log, Batch(5, ("a", "2")));
        AppendInNewSegment(log, Batch(5, ("z", "z")));

        Compact(_fixture, log);

        Assert.Equal([new Row(1, T, "b", "1"), new Row(2, T, "a", "2"), new Row(3, T, "z", "z")], ReadRows(log));
    }

    [Fact]
    public void Append_KeylessRecordToCompactedLog_IsRefusedWithInvalidRecord()
    {
        var log = _fixture.CreateLog(Compacted);

        var result = log.AppendAsLeader(Batch(T, ("a", "1"), (null, "2")), 0);

        Assert.Equal((ErrorCode.InvalidRecord, 0, 1), (result.ErrorCode, result.ErrorBatchIndex, result.ErrorRecordIndex));
        Assert.Equal(0, log.LogEndOffset);
        Assert.Equal(ErrorCode.None, log.AppendAsLeader(Batch(T, ("a", null)), 0).ErrorCode);
        log.Config = log.Config with { CleanupPolicy = CleanupPolicy.Delete };
        Assert.Equal(ErrorCode.None, log.AppendAsLeader(Batch(T, (null, "2")), 0).ErrorCode);
    }

    [Fact]
    public void RunCompaction_KeylessRecordsFromBeforeTheTopicWasCompacted_AreKept()
    {
        var log = _fixture.CreateLog(Compacted with { CleanupPolicy = CleanupPolicy.Delete });
        AppendInNewSegment(log, Batch(T, (null, "n1"), ("a", "1")));
        AppendInNewSegment(log, Batch(T, ("a", "2"), (null, "n2")));
        log.Config = log.Config with { CleanupPolicy = CleanupPolicy.Compact };
        AppendInNewSegment(log, Batch(T, ("z", "z")));

        Compact(_fixture, log);

        Assert.Equal([(null, "n1"), ("a", "2"), (null, "n2"), ("z", "z")], Pairs(ReadRows(log)));
    }

    [Fact]
    public void RunCompaction_DeletePolicy_NeverCompacts()
    {
        var log = _fixture.CreateLog(Compacted with { CleanupPolicy = CleanupPolicy.Delete, MinCleanableDirtyRatio = 0 });
        AppendInNewSegment(log, Batch(T, ("a", "1")));
        AppendInNewSegment(log, Batch(T, ("a", "2")));
        AppendInNewSegment(log, Batch(T, ("z", "z")));

        Assert.Equal(0, Compact(_fixture, log));

        Assert.Equal([("a", "1"), ("a", "2"), ("z", "z")], Pairs(ReadRows(log)));
        Assert.False(File.Exists(Path.Combine(_fixture.LogDir, LogManager.CleanerOffsetCheckpointFileName)));
    }

    [Fact]
    public void CompactAndDelete_BothApply_AndCompactOnlyIgnoresRetention()
    {
        var config = Compacted with { CleanupPolicy = CleanupPolicy.Compact | CleanupPolicy.Delete, RetentionMs = 60_000 };
        var log = _fixture.CreateLog(config);
        AppendInNewSegment(log, Batch(T, ("a", "1")));
        AppendInNewSegment(log, Batch(T + 100_000, ("a", "2"), ("b", "1")));
        AppendInNewSegment(log, Batch(T + 100_000, ("z", "z")));
        Compact(_fixture, log);
        Assert.Equal([("a", "2"), ("b", "1"), ("z", "z")], Pairs(ReadRows(log)));
        AppendInNewSegment(log, Batch(T + 100_000, ("y", "y")));

        log.Config = config with { CleanupPolicy = CleanupPolicy.Compact };
        _fixture.Time.Advance(TimeSpan.FromMilliseconds(200_000));
        Assert.Equal(0, _fixture.Manager.RunRetention());
        log.Config = config;
        Assert.Equal(2, _fixture.Manager.RunRetention());
        Assert.Equal([("y", "y")], Pairs(ReadRows(log, log.LogStartOffset)));
    }

    [Fact]
    public void RunCompaction_IdempotentProducer_KeepsItsLastBatchAsAnEmptyHeader()
    {
        var log = _fixture.CreateLog(Compacted);
        AppendInNewSegment(log, Build(new RecordBatchBuilder(CompressionCodec.None) { ProducerId = 7, ProducerEpoch = 3, BaseSequence = 0 }, T, ("a", "1")));
        AppendInNewSegment(log, Build(new RecordBatchBuilder(CompressionCodec.Gzip) { ProducerId = 7, ProducerEpoch = 3, BaseSequence = 1 }, T + 1, ("a", "2"), ("a", "3")));
        AppendInNewSegment(log, Batch(T + 2, ("a", "4")));
        AppendInNewSegment(log, Batch(T + 3, ("z", "z")));

        Compact(_fixture, log);

        var batches = ReadBatchBytes(log);
        Assert.Equal([(1L, 2L, 0, 7L), (3L, 3L, 1, -1L), (4L, 4L, 1, -1L)],
            batches.Select(b => (RecordBatch.GetBaseOffset(b), RecordBatch.GetLastOffset(b), RecordBatch.GetRecordsCount(b), RecordBatch.GetProducerId(b))));
        var empty = batches[0];
        Assert.Equal((3, 1, CompressionCodec.None, T + 2, T + 2), (RecordBatch.GetProducerEpoch(empty), RecordBatch.GetBaseSequence(empty),
            RecordBatch.GetCompressionCodec(empty), RecordBatch.GetBaseTimestamp(empty), RecordBatch.GetMaxTimestamp(empty)));
        Assert.Equal([("a", "4"), ("z", "z")], Pairs(ReadRows(log)));
    }

    [Fact]
    public void RunCompaction_ControlAndTransactionalBatches_AreKeptAsTheyWere()
    {
        var log = _fixture.CreateLog(Compacted);
        var transactional = Build(new RecordBatchBuilder(CompressionCodec.None) { ProducerId = 5, ProducerEpoch = 0, BaseSequence = 0, IsTransactional = true },
            T, ("a", "1"), ("a", "2"));
        AppendInNewSegment(log, transactional);
        var marker = Build(new RecordBatchBuilder(CompressionCodec.None) { ProducerId = 5, ProducerEpoch = 0, IsTransactional = true, IsControlBatch = true },
            T, ("\0\0\0\u0001", "\0\0\0\0\0\0"));
        AppendInNewSegment(log, marker, AppendOrigin.Coordinator);
        AppendInNewSegment(log, Batch(T, ("a", "3")));
        AppendInNewSegment(log, Batch(T, ("z", "z")));
        var before = ReadBatchBytes(log);

        Compact(_fixture, log);

        var after = ReadBatchBytes(log);
        Assert.Equal(before[0], after[0]);
        Assert.Equal(before[1], after[1]);
        Assert.Equal(4, after.Count);
    }

    [Fact]
    public void RunCompaction_OffsetMapFull_CleansInSeveralPassesAndCheckpointsEach()
    {
        using var fixture = new StorageFixture(cleanerDedupeBufferBytes: OffsetMapBytes(16));
        var t = fixture.NowMs;
        var log = fixture.CreateLog(Compacted with { MinCleanableDirtyRatio = 0.1 });
        AppendInNewSegment(log, Batch(t, [.. Enumerable.Range(0, 10).Select(i => ((string?)$"k{i:D2}", (string?)"v1"))]));
        AppendInNewSegment(log, Batch(t, [.. Enumerable.Range(10, 10).Select(i => ((string?)$"k{i:D2}", (string?)"v1"))]));
        AppendInNewSegment(log, Batch(t, [.. Enumerable.Range(0, 10).Select(i => ((string?)$"k{i:D2}", (string?)"v2"))]));
        AppendInNewSegment(log, Batch(t, ("z", "z")));
        var checkpoint = Path.Combine(fixture.LogDir, LogManager.CleanerOffsetCheckpointFileName);

        // 16 slots hold 14 keys: one whole 10-key batch per pass, and 4 keys of the next, which fill the map. Those 4 are
        // at or past where the map ends, so they stay, but they already supersede older records of the same keys.
        Assert.Equal(1, Compact(fixture, log));
        Assert.Equal(["0", "1", "orders 0 10"], File.ReadAllLines(checkpoint));
        Assert.Equal(31, ReadRows(log).Count);
        Assert.Equal(1, Compact(fixture, log));
        Assert.Equal(["0", "1", "orders 0 20"], File.ReadAllLines(checkpoint));
        Assert.Equal(Enumerable.Range(4, 27).Select(i => (long)i), ReadRows(log).Select(r => r.Offset));
        Assert.Equal(1, Compact(fixture, log));
        Assert.Equal(["0", "1", "orders 0 30"], File.ReadAllLines(checkpoint));

        var rows = ReadRows(log);
        Assert.Equal(21, rows.Count);
        Assert.Equal(Enumerable.Range(10, 20).Select(i => (long)i).Append(30), rows.Select(r => r.Offset));
        Assert.All(rows.Take(10), r => Assert.Equal("v1", r.Value));
        Assert.All(rows.Skip(10).Take(10), r => Assert.Equal("v2", r.Value));
    }

    [Fact]
    public void RunCompaction_BatchWithManyRecordsOfFewKeys_FitsASmallOffsetMap()
    {
        using var fixture = new StorageFixture(cleanerDedupeBufferBytes: OffsetMapBytes(16));
        var log = fixture.CreateLog(Compacted);
        AppendInNewSegment(log, Batch(fixture.NowMs, [.. Enumerable.Range(0, 100).Select(i => ((string?)$"k{i % 3}", (string?)$"v{i}"))]));
        AppendInNewSegment(log, Batch(fixture.NowMs, ("z", "z")));

        Assert.Equal(1, Compact(fixture, log));

        Assert.Equal([("k1", "v97"), ("k2", "v98"), ("k0", "v99"), ("z", "z")], Pairs(ReadRows(log)));
    }

    [Fact]
    public void RunCompaction_OneBatchWithMoreKeysThanTheOffsetMap_SkipsTheLogAndLeavesItIntact()
    {
        using var fixture = new StorageFixture(cleanerDedupeBufferBytes: OffsetMapBytes(16));
        var log = fixture.CreateLog(Compacted);
        AppendInNewSegment(log, Batch(fixture.NowMs, [.. Enumerable.Range(0, 20).Select(i => ((string?)$"k{i}", (string?)"v"))]));
        AppendInNewSegment(log, Batch(fixture.NowMs, ("z", "z")));

        Assert.Equal(0, Compact(fixture, log));
        Assert.Equal(0, Compact(fixture, log));

        Assert.Equal(21, ReadRows(log).Count);
        Assert.Empty(Directory.GetFiles(fixture.PartitionDir(StorageFixture.Partition), "*.cleaned"));
    }

    [Fact]
    public void RunCompaction_CheckpointSurvivesRestarts_SoASecondPassDoesNoWork()
    {
        var config = Compacted with { MinCleanableDirtyRatio = 0 };
        var log = _fixture.CreateLog(config);
        AppendInNewSegment(log, Batch(T, ("a", "1")));
        AppendInNewSegment(log, Batch(T, ("a", "2")));
        AppendInNewSegment(log, Batch(T, ("z", "z")));
        Assert.Equal(1, Compact(_fixture, log));
        var expected = ReadRows(log);

        _fixture.Shutdown();
        _fixture.Reopen(config);
        Assert.Equal(0, Compact(_fixture, _fixture.ReopenedLog()));
        _fixture.Crash();
        _fixture.Reopen(config);
        Assert.Equal(0, Compact(_fixture, _fixture.ReopenedLog()));

        Assert.Equal(expected, ReadRows(_fixture.ReopenedLog()));
        AppendInNewSegment(_fixture.ReopenedLog(), Batch(T, ("a", "3")));
        AppendInNewSegment(_fixture.ReopenedLog(), Batch(T, ("y", "y")));
        Assert.Equal(1, Compact(_fixture, _fixture.ReopenedLog()));
        Assert.Equal([("z", "z"), ("a", "3"), ("y", "y")], Pairs(ReadRows(_fixture.ReopenedLog())));
    }

    [Fact]
    public void RunCompaction_DeletedLog_DropsOutOfTheCheckpoint()
    {
        var log = _fixture.CreateLog(Compacted with { MinCleanableDirtyRatio = 0 });
        var other = _fixture.Manager.GetOrCreateLog(new TopicPartition("other", 0), Compacted);
        foreach (var l in new[] { log, other })
        {
            AppendInNewSegment(l, Batch(T, ("a", "1")));
            AppendInNewSegment(l, Batch(T, ("z", "z")));
            l.HighWatermark = l.LogEndOffset;
        }

        Assert.Equal(2, _fixture.Manager.RunCompaction());
        var checkpoint = Path.Combine(_fixture.LogDir, LogManager.CleanerOffsetCheckpointFileName);
        Assert.Equal(["0", "2", "orders 0 1", "other 0 1"], File.ReadAllLines(checkpoint));

        _fixture.Manager.DeleteLog(new TopicPartition("other", 0));
        AppendInNewSegment(log, Batch(T, ("a", "2")));
        Assert.Equal(1, Compact(_fixture, log));
        Assert.Equal(["0", "1", "orders 0 2"], File.ReadAllLines(checkpoint));
    }

    [Fact]
    public void LogConfig_CompactionSettings_AreValidatedLikeKafka()
    {
        Assert.Throws<ArgumentException>(() => (Compacted with { DeleteRetentionMs = -1 }).Validate());
        Assert.Throws<ArgumentException>(() => (Compacted with { MinCompactionLagMs = -1 }).Validate());
        Assert.Throws<ArgumentException>(() => (Compacted with { MaxCompactionLagMs = 0 }).Validate());
        Assert.Throws<ArgumentException>(() => (Compacted with { MinCompactionLagMs = 10, MaxCompactionLagMs = 9 }).Validate());
        Assert.Throws<ArgumentException>(() => (Compacted with { MinCleanableDirtyRatio = 1.5 }).Validate());
        Assert.Throws<ArgumentException>(() => (Compacted with { MinCleanableDirtyRatio = double.NaN }).Validate());
        Assert.Throws<ArgumentException>(() => (Compacted with { CleanupPolicy = (CleanupPolicy)4 }).Validate());
        Assert.Equal((CleanupPolicy.Delete, 86_400_000L, 0L, long.MaxValue, 0.5),
            (LogConfig.Default.CleanupPolicy, LogConfig.Default.DeleteRetentionMs, LogConfig.Default.MinCompactionLagMs,
                LogConfig.Default.MaxCompactionLagMs, LogConfig.Default.MinCleanableDirtyRatio));
    }

    /// <summary>
    /// Segments 0 [a1 b1 c1], 3 [a2] [b2 d1], 6 [a3 e1], active 8 [a4 b3]; timestamps T+0.., T+10.., T+20.., T+30...
    /// </summary>
    private Log BuildMixedLog()
    {
        var log = _fixture.CreateLog(Compacted);
        AppendInNewSegment(log, Batch(T, ("a", "a1"), ("b", "b1"), ("c", "c1")));
        AppendInNewSegment(log, Batch(T + 10, ("a", "a2")));
        StorageFixture.Append(log, Batch(T + 11, ("b", "b2"), ("d", "d1")));
        AppendInNewSegment(log, Batch(T + 20, ("a", "a3"), ("e", "e1")));
        AppendInNewSegment(log, Batch(T + 30, ("a", "a4"), ("b", "b3")));
        Assert.Equal([0, 3, 6, 8], log.SegmentBaseOffsets);
        return log;
    }

    private static long OffsetMapBytes(int slots) => slots * 24L;

    private string[] Files() =>
        [.. Directory.GetFiles(_fixture.PartitionDir(StorageFixture.Partition)).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
}
