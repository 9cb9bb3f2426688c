using System.Buffers.Binary;
using Rill.Common;
using Rill.Protocol.Records;
using Rill.Storage.Tests.Records;

namespace Rill.Storage.Tests;

/// <summary>One test per crash shape (RELIABILITY-NOTES F5): mutate a stopped broker's files, reopen, check what recovery kept.</summary>
public sealed class LogRecoveryTests : IDisposable
{
    private static readonly LogConfig Indexed = LogConfig.Default with { IndexIntervalBytes = 0 };

    private readonly StorageFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Reopen_OfAnEmptyLogAfterCleanShutdown_ScansNothingAndFindsNothing()
    {
        _fixture.CreateLog(Indexed);
        _fixture.Shutdown();

        var result = _fixture.Reopen(Indexed);

        var info = Assert.Single(result.Logs);
        Assert.Equal((true, 0, 0, 0L), (info.HadCleanShutdown, info.SegmentsScanned, info.IndexesRebuilt, info.LogEndOffset));
        Assert.Empty(info.Findings);
        Assert.Equal(0, _fixture.Append(_fixture.ReopenedLog(), 1).FirstOffset);
    }

    [Fact]
    public void Reopen_AfterCleanShutdown_ScansNothingAndDeletesTheMarker()
    {
        var log = _fixture.CreateLog(Indexed);
        var sizes = AppendBatches(log, 5);
        _fixture.Shutdown();
        var marker = Path.Combine(_fixture.LogDir, ".kafka_cleanshutdown");
        Assert.True(File.Exists(marker));

        var result = _fixture.Reopen(Indexed);

        var info = Assert.Single(result.Logs);
        Assert.Equal(
            (StorageFixture.Partition, true, 1, 0, 0, 0L, 0, 0L, 10L, 10L),
            (info.TopicPartition, info.HadCleanShutdown, info.SegmentCount, info.SegmentsScanned, info.IndexesRebuilt,
                info.BytesTruncated, info.SegmentsDeleted, info.LogStartOffset, info.LogEndOffset, info.RecoveryPoint));
        Assert.Empty(info.Findings);
        Assert.Equal(0, result.SegmentsScanned);
        Assert.False(File.Exists(marker));
        Assert.Equal(sizes.Sum(), StorageFixture.ReadAll(_fixture.ReopenedLog()).Length);
        Assert.Equal(10, _fixture.Append(_fixture.ReopenedLog(), 1).FirstOffset);
    }

    [Fact]
    public void Reopen_AfterCrash_ScansFromTheRecoveryPointOnly()
    {
        var batchSize = TestBatches.Build(2, _fixture.NowMs).Length;
        var config = LogConfig.Default with { SegmentBytes = batchSize };
        var log = _fixture.CreateLog(config);
        AppendBatches(log, 3);
        _fixture.Manager.FlushDirty();
        _fixture.Manager.WriteCheckpoints();
        _fixture.Crash();

        var info = Assert.Single(_fixture.Reopen(config).Logs);

        Assert.Equal((false, 3, 1, 0L, 4L, 6L), (info.HadCleanShutdown, info.SegmentCount, info.SegmentsScanned, info.BytesTruncated, info.RecoveryPoint, info.LogEndOffset));
    }

    [Fact]
    public void Reopen_AfterCrashWithoutCheckpoint_ScansEverySegment()
    {
        var batchSize = TestBatches.Build(2, _fixture.NowMs).Length;
        var config = LogConfig.Default with { SegmentBytes = batchSize };
        AppendBatches(_fixture.CreateLog(config), 3);
        _fixture.Crash();

        var info = Assert.Single(_fixture.Reopen(config).Logs);

        Assert.Equal((3, 3, 0L, 6L), (info.SegmentCount, info.SegmentsScanned, info.RecoveryPoint, info.LogEndOffset));
    }

    [Fact]
    public void Reopen_TornTail_TruncatesToTheLastWholeBatch()
    {
        var sizes = AppendBatches(_fixture.CreateLog(Indexed), 5);
        _fixture.Crash();
        var logFile = _fixture.SegmentFile(0, ".log");
        var tornAt = sizes.Take(4).Sum() + 30;
        File.WriteAllBytes(logFile, File.ReadAllBytes(logFile)[..tornAt]);

        var info = Assert.Single(_fixture.Reopen(Indexed).Logs);

        var finding = Assert.Single(info.Findings);
        Assert.Equal((CorruptionReason.TruncatedBatch, sizes.Take(4).Sum()), (finding.Reason, (int)finding.Position));
        Assert.Equal((1, 30L, 8L), (info.SegmentsScanned, info.BytesTruncated, info.LogEndOffset));
        Assert.Equal(sizes.Take(4).Sum(), new FileInfo(logFile).Length);
        Assert.Equal([0, 2, 4, 6], StorageFixture.BaseOffsets(StorageFixture.ReadAll(_fixture.ReopenedLog())));
        Assert.Equal(8, _fixture.Append(_fixture.ReopenedLog(), 1).FirstOffset);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0xAB)]
    [InlineData(0x01)]
    public void Reopen_GarbageAppended_CutsExactlyTheGarbage(byte fill)
    {
        var sizes = AppendBatches(_fixture.CreateLog(Indexed), 3);
        _fixture.Crash();
        var logFile = _fixture.SegmentFile(0, ".log");
        using (var stream = new FileStream(logFile, FileMode.Append))
        {
            stream.Write(Enumerable.Repeat(fill, 100).ToArray());
        }

        var info = Assert.Single(_fixture.Reopen(Indexed).Logs);

        var finding = Assert.Single(info.Findings);
        Assert.Equal(sizes.Sum(), finding.Position);
        Assert.Contains(finding.Reason, new[] { CorruptionReason.BatchLengthTooSmall, CorruptionReason.TruncatedBatch, CorruptionReason.InvalidMagic });
        Assert.Equal((100L, 6L), (info.BytesTruncated, info.LogEndOffset));
        Assert.Equal(sizes.Sum(), new FileInfo(logFile).Length);
    }

    [Fact]
    public void Reopen_CorruptCrcInTheMiddleOfTheLastSegment_TruncatesFromThatBatch()
    {
        var sizes = AppendBatches(_fixture.CreateLog(Indexed), 5);
        _fixture.Crash();
        var logFile = _fixture.SegmentFile(0, ".log");
        var bytes = File.ReadAllBytes(logFile);
        var thirdBatch = sizes.Take(2).Sum();
        bytes[thirdBatch + RecordBatch.HeaderSize + 3] ^= 0x40;
        File.WriteAllBytes(logFile, bytes);

        var info = Assert.Single(_fixture.Reopen(Indexed).Logs);

        var finding = Assert.Single(info.Findings);
        Assert.Equal((CorruptionReason.CrcMismatch, thirdBatch), (finding.Reason, (int)finding.Position));
        Assert.Equal(((long)sizes.Skip(2).Sum(), 4L), (info.BytesTruncated, info.LogEndOffset));
        Assert.Equal([0, 2], StorageFixture.BaseOffsets(StorageFixture.ReadAll(_fixture.ReopenedLog())));
    }

    [Fact]
    public void Reopen_CorruptBatchInAnEarlierSegment_DropsEveryLaterSegment()
    {
        var batchSize = TestBatches.Build(2, _fixture.NowMs).Length;
        var config = LogConfig.Default with { SegmentBytes = batchSize };
        AppendBatches(_fixture.CreateLog(config), 3);
        _fixture.Crash();
        var middle = _fixture.SegmentFile(2, ".log");
        var bytes = File.ReadAllBytes(middle);
        bytes[RecordBatch.AttributesOffset + 1] ^= 0x02;
        File.WriteAllBytes(middle, bytes);

        var info = Assert.Single(_fixture.Reopen(config).Logs);

        Assert.Equal(CorruptionReason.CrcMismatch, Assert.Single(info.Findings).Reason);
        Assert.Equal((2, 1, 2L * batchSize, 2L), (info.SegmentCount, info.SegmentsDeleted, info.BytesTruncated, info.LogEndOffset));
        Assert.False(File.Exists(_fixture.SegmentFile(4, ".log")));
        Assert.False(File.Exists(_fixture.SegmentFile(4, ".index")));
        Assert.Equal([0, 2], _fixture.ReopenedLog().SegmentBaseOffsets);
        Assert.Equal(2, _fixture.Append(_fixture.ReopenedLog(), 1).FirstOffset);
    }

    [Theory]
    [InlineData(".index")]
    [InlineData(".timeindex")]
    public void Reopen_MissingIndexAfterCleanShutdown_RebuildsItIdentically(string suffix)
    {
        AppendBatches(_fixture.CreateLog(Indexed), 5);
        _fixture.Shutdown();
        var indexFile = _fixture.SegmentFile(0, suffix);
        var original = File.ReadAllBytes(indexFile);
        Assert.NotEmpty(original);
        File.Delete(indexFile);

        var info = Assert.Single(_fixture.Reopen(Indexed).Logs);

        Assert.Equal(CorruptionReason.IndexMissing, Assert.Single(info.Findings).Reason);
        Assert.Equal((1, 1, 0L, 10L), (info.IndexesRebuilt, info.SegmentsScanned, info.BytesTruncated, info.LogEndOffset));
        Assert.Equal(original, File.ReadAllBytes(indexFile));
        Assert.Equal([0, 2, 4, 6, 8], StorageFixture.BaseOffsets(StorageFixture.ReadAll(_fixture.ReopenedLog())));
    }

    public static TheoryData<string, CorruptionReason> CorruptIndexes => new()
    {
        { "partialEntry", CorruptionReason.IndexSizeInvalid },
        { "descending", CorruptionReason.IndexNotAscending },
        { "pastEnd", CorruptionReason.IndexPastEndOfLog },
        { "wrongBatch", CorruptionReason.IndexMismatch },
        { "timeDescending", CorruptionReason.IndexNotAscending },
    };

    [Theory]
    [MemberData(nameof(CorruptIndexes))]
    public void Reopen_CorruptIndexAfterCleanShutdown_RebuildsIt(string shape, CorruptionReason reason)
    {
        AppendBatches(_fixture.CreateLog(Indexed), 5);
        _fixture.Shutdown();
        var indexFile = _fixture.SegmentFile(0, shape.StartsWith("time", StringComparison.Ordinal) ? ".timeindex" : ".index");
        var original = File.ReadAllBytes(indexFile);
        var corrupt = original.ToArray();
        switch (shape)
        {
            case "partialEntry":
                corrupt = [.. original, 1, 2, 3];
                break;
            case "descending":
            case "timeDescending":
                original.AsSpan(0, original.Length / 2).CopyTo(corrupt.AsSpan(original.Length / 2));
                original.AsSpan(original.Length / 2).CopyTo(corrupt);
                break;
            case "pastEnd":
                BinaryPrimitives.WriteInt32BigEndian(corrupt.AsSpan(corrupt.Length - 4), 1_000_000);
                break;
            default:
                // The last entry names offset 8 at the last batch's position, where the batch ends at 9.
                BinaryPrimitives.WriteInt32BigEndian(corrupt.AsSpan(corrupt.Length - 8), 8);
                break;
        }

        File.WriteAllBytes(indexFile, corrupt);

        var info = Assert.Single(_fixture.Reopen(Indexed).Logs);

        Assert.Equal(reason, Assert.Single(info.Findings).Reason);
        Assert.Equal((1, 1, 10L), (info.IndexesRebuilt, info.SegmentsScanned, info.LogEndOffset));
        Assert.Equal(original, File.ReadAllBytes(indexFile));
    }

    [Fact]
    public void Reopen_TornTailDespiteCleanShutdownMarker_StillRecovers()
    {
        var sizes = AppendBatches(_fixture.CreateLog(), 3);
        _fixture.Shutdown();
        var logFile = _fixture.SegmentFile(0, ".log");
        File.WriteAllBytes(logFile, File.ReadAllBytes(logFile)[..(sizes.Sum() - 1)]);

        var info = Assert.Single(_fixture.Reopen().Logs);

        Assert.Equal([CorruptionReason.TruncatedBatch, CorruptionReason.RecoveryPointAheadOfLog], info.Findings.Select(f => f.Reason));
        Assert.Equal((true, 1, 0, 4L, 4L), (info.HadCleanShutdown, info.SegmentsScanned, info.IndexesRebuilt, info.LogEndOffset, info.RecoveryPoint));
    }

    [Fact]
    public void Checkpoints_AfterShutdown_HoldEveryPartitionInKafkasFormat()
    {
        var log = _fixture.CreateLog();
        AppendBatches(log, 3);
        log.HighWatermark = log.LogEndOffset;
        log.DeleteRecordsBefore(2);
        AppendBatches(_fixture.Manager.GetOrCreateLog(new TopicPartition("a.b_c-d", 12), LogConfig.Default), 1);
        _fixture.Shutdown();

        Assert.Equal("0\n2\na.b_c-d 12 2\norders 0 6\n", File.ReadAllText(Path.Combine(_fixture.LogDir, "recovery-point-offset-checkpoint")));
        Assert.Equal("0\n2\na.b_c-d 12 0\norders 0 2\n", File.ReadAllText(Path.Combine(_fixture.LogDir, "log-start-offset-checkpoint")));
        Assert.False(File.Exists(Path.Combine(_fixture.LogDir, "recovery-point-offset-checkpoint.tmp")));

        var result = _fixture.Reopen();

        Assert.Equal(2, result.Logs.Count);
        Assert.Equal(2, _fixture.ReopenedLog().LogStartOffset);
        Assert.True(_fixture.Manager.TryGetLog(new TopicPartition("a.b_c-d", 12), out var other));
        Assert.Equal(2, other.LogEndOffset);
    }

    [Fact]
    public void Reopen_CorruptRecoveryPointCheckpoint_IsIgnoredAndEverythingRecovered()
    {
        var batchSize = TestBatches.Build(2, _fixture.NowMs).Length;
        var config = LogConfig.Default with { SegmentBytes = batchSize };
        AppendBatches(_fixture.CreateLog(config), 3);
        _fixture.Manager.FlushDirty();
        _fixture.Manager.WriteCheckpoints();
        _fixture.Crash();
        File.WriteAllText(Path.Combine(_fixture.LogDir, "recovery-point-offset-checkpoint"), "0\n1\norders zero 4\n");

        var result = _fixture.Reopen(config);

        Assert.Equal(CorruptionReason.CheckpointCorrupt, Assert.Single(result.Findings).Reason);
        Assert.Equal((3, 6L), (result.Logs[0].SegmentsScanned, result.Logs[0].LogEndOffset));
    }

    [Fact]
    public void Reopen_RecoveryPointAheadOfTheLog_IsLowered()
    {
        AppendBatches(_fixture.CreateLog(), 2);
        _fixture.Shutdown();
        File.WriteAllText(Path.Combine(_fixture.LogDir, "recovery-point-offset-checkpoint"), "0\n1\norders 0 99\n");

        var info = Assert.Single(_fixture.Reopen().Logs);

        Assert.Equal(CorruptionReason.RecoveryPointAheadOfLog, Assert.Single(info.Findings).Reason);
        Assert.Equal((4L, 4L), (info.RecoveryPoint, info.LogEndOffset));
    }

    /// <summary>Appends <paramref name="count"/> batches of 2 records; returns their sizes.</summary>
    private List<int> AppendBatches(Log log, int count)
    {
        var sizes = new List<int>();
        for (var i = 0; i < count; i++)
        {
            var batch = TestBatches.Build(2, _fixture.NowMs);
            StorageFixture.Append(log, batch);
            sizes.Add(batch.Length);
            _fixture.Time.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal(ErrorCode.None, log.Read(0, 1, log.LogEndOffset, minOneBatch: true).ErrorCode);
        return sizes;
    }
}
