using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rill.Common;
using Rill.Protocol.Records;
using Rill.Raft.Storage;
using Rill.Storage;

namespace Rill.Raft.Tests.Storage;

/// <summary>The metadata log on Rill.Storage: appends, reads, truncation, epochs, snapshots and restarts, with exact offsets and bytes.</summary>
public sealed class KafkaRaftLogTests : IDisposable
{
    private const long T0 = 1_700_000_000_000;

    private readonly string _logDir = Path.Combine(Path.GetTempPath(), "rill-raft-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(T0));
    private KafkaRaftLog? _log;

    private string Dir => Path.Combine(_logDir, "__cluster_metadata-0");

    public void Dispose()
    {
        _log?.Dispose();
        Directory.Delete(_logDir, recursive: true);
    }

    /// <summary>A batch of <paramref name="count"/> records "k{i}"/"v{i}" as the Raft client hands it to the log: base offset 0, no epoch.</summary>
    private static byte[] Batch(int count, int valueSize = 0)
    {
        var builder = new RecordBatchBuilder(CompressionCodec.None);
        for (var i = 0; i < count; i++)
        {
            builder.Append(T0 + i, Encoding.UTF8.GetBytes($"k{i}"), valueSize > 0 ? new byte[valueSize] : Encoding.UTF8.GetBytes($"v{i}"));
        }

        return builder.Build();
    }

    /// <summary>The batch as a leader stored it at <paramref name="baseOffset"/> in <paramref name="epoch"/>.</summary>
    private static byte[] Stored(byte[] batch, long baseOffset, int epoch)
    {
        var copy = batch.ToArray();
        RecordBatch.SetBaseOffset(copy, baseOffset);
        RecordBatch.SetPartitionLeaderEpoch(copy, epoch);
        return copy;
    }

    private KafkaRaftLog Open(int? segmentBytes = null)
    {
        _log?.Dispose();
        var config = segmentBytes is { } bytes ? KafkaRaftLog.Config with { SegmentBytes = bytes } : KafkaRaftLog.Config;
        _log = KafkaRaftLog.Open(_logDir, config, _time, NullLogger.Instance);
        return _log;
    }

    private KafkaRaftLog Reopen(int? segmentBytes = null) => Open(segmentBytes);

    /// <summary>Epoch 1 at 0-2, epoch 3 at 3-5, epoch 4 at 6-7 (three leader appends).</summary>
    private static byte[][] AppendThreeEpochs(KafkaRaftLog log)
    {
        var batches = new[] { Batch(3), Batch(3), Batch(2) };
        log.AppendAsLeader(batches[0], 1);
        log.AppendAsLeader(batches[1], 3);
        log.AppendAsLeader(batches[2], 4);
        return [Stored(batches[0], 0, 1), Stored(batches[1], 3, 3), Stored(batches[2], 6, 4)];
    }

    private static byte[] ReadAll(KafkaRaftLog log)
    {
        var bytes = new List<byte>();
        var offset = log.StartOffset;
        while (offset < log.EndOffset)
        {
            var read = log.Read(offset, log.EndOffset, int.MaxValue);
            Assert.False(read.Records.IsEmpty);
            bytes.AddRange(read.Records.ToArray());
            var records = read.Records.Span;
            while (!records.IsEmpty)
            {
                offset = RecordBatch.GetNextOffset(records);
                records = records[RecordBatch.GetSizeInBytes(records)..];
            }
        }

        return [.. bytes];
    }

    [Fact]
    public void AppendAsLeader_AssignsOffsetsAndTheEpoch_InKafkasFilesAndLeavesTheCallersBytesAlone()
    {
        var log = Open();
        var batch = Batch(3);
        var original = batch.ToArray();

        var first = log.AppendAsLeader(batch, epoch: 2);
        var second = log.AppendAsLeader(Batch(2), epoch: 2);

        Assert.Equal((new LogAppendInfo(0, 2), new LogAppendInfo(3, 4)), (first, second));
        Assert.Equal(original, batch);
        Assert.Equal((0L, 5L, 2), (log.StartOffset, log.EndOffset, log.LastFetchedEpoch));
        Assert.Equal(TestConcat(Stored(original, 0, 2), Stored(Batch(2), 3, 2)), File.ReadAllBytes(Path.Combine(Dir, "00000000000000000000.log")));
        Assert.Equal("0\n1\n2 0\n", File.ReadAllText(Path.Combine(Dir, "leader-epoch-checkpoint")));
    }

    [Fact]
    public void AppendAsFollower_KeepsTheLeadersBytes_AndMustStartAtTheEnd()
    {
        var log = Open();
        var leaderBatches = new[] { Stored(Batch(3), 0, 5), Stored(Batch(1), 3, 6) };

        var appended = log.AppendAsFollower(TestConcat(leaderBatches));

        Assert.Equal(new LogAppendInfo(0, 3), appended);
        Assert.Equal(TestConcat(leaderBatches), ReadAll(log));
        Assert.Equal(6, log.LastFetchedEpoch);
        var gap = Assert.Throws<KafkaException>(() => log.AppendAsFollower(Stored(Batch(1), 7, 6)));
        Assert.Contains("starts at offset 7, not at its end offset 4", gap.Message);
        Assert.Throws<KafkaException>(() => log.AppendAsFollower(Stored(Batch(1), 2, 6)));
        Assert.Equal(4, log.EndOffset);
    }

    [Fact]
    public void Read_ReturnsWholeBatchesBelowTheLimit_AtLeastOne_AndWhereTheyStart()
    {
        var log = Open();
        var stored = AppendThreeEpochs(log);

        var all = log.Read(0, log.EndOffset, int.MaxValue);
        var belowSix = log.Read(1, 6, int.MaxValue);
        var oneBatch = log.Read(4, 8, maxBytes: 1);
        var atEnd = log.Read(8, 8, int.MaxValue);

        Assert.Equal(TestConcat(stored), all.Records.ToArray());
        Assert.Equal(TestConcat(stored[0], stored[1]), belowSix.Records.ToArray());
        Assert.Equal(stored[1], oneBatch.Records.ToArray());
        Assert.Equal((0L, 0L, 3L), (all.StartOffset, belowSix.StartOffset, oneBatch.StartOffset));
        Assert.Equal((0, 8L), (atEnd.Records.Length, atEnd.StartOffset));
        Assert.Equal(ErrorCode.OffsetOutOfRange, Assert.Throws<KafkaException>(() => log.Read(9, 10, 100)).ErrorCode);
    }

    [Theory]
    [InlineData(-1, -1L, -1)]
    [InlineData(0, -1L, -1)]
    [InlineData(1, 3L, 1)]
    [InlineData(2, 3L, 1)]
    [InlineData(3, 6L, 3)]
    [InlineData(4, 8L, 4)]
    [InlineData(9, 8L, 4)]
    public void EndOffsetForEpoch_IsTheLargestEpochUpToItAndWhereItEnds(int epoch, long endOffset, int foundEpoch)
    {
        var log = Open();
        AppendThreeEpochs(log);

        Assert.Equal(new OffsetAndEpoch(endOffset, foundEpoch), log.EndOffsetForEpoch(epoch));
    }

    [Fact]
    public void TruncateTo_RemovesTheDivergentTail_ButNeverBelowTheHighWatermark()
    {
        var log = Open();
        var stored = AppendThreeEpochs(log);
        log.UpdateHighWatermark(3);

        log.TruncateTo(6);

        Assert.Equal((6L, 3), (log.EndOffset, log.LastFetchedEpoch));
        Assert.Equal(TestConcat(stored[0], stored[1]), ReadAll(log));
        Assert.Equal(new OffsetAndEpoch(6, 3), log.EndOffsetForEpoch(4));
        Assert.Throws<InvalidOperationException>(() => log.TruncateTo(2));
        Assert.Equal(6, log.EndOffset);
    }

    [Fact]
    public void UpdateHighWatermark_StaysWithinTheLog()
    {
        var log = Open();
        AppendThreeEpochs(log);

        log.UpdateHighWatermark(5);
        Assert.Equal(5, log.HighWatermark);
        log.UpdateHighWatermark(100);
        Assert.Equal(8, log.HighWatermark);
    }

    [Fact]
    public void Flush_MakesTheAppendsDurable()
    {
        var log = Open();
        AppendThreeEpochs(log);
        Assert.Equal(0, log.FlushedOffset);

        log.Flush();

        Assert.Equal(8, log.FlushedOffset);
    }

    [Fact]
    public void Reopen_KeepsTheBatchesAndEpochs_FlushedToTheEnd()
    {
        var stored = AppendThreeEpochs(Open());

        var log = Reopen();

        Assert.Equal((0L, 8L, 8L, 0L, 4), (log.StartOffset, log.EndOffset, log.FlushedOffset, log.HighWatermark, log.LastFetchedEpoch));
        Assert.Equal(TestConcat(stored), ReadAll(log));
        Assert.Equal(new OffsetAndEpoch(6, 3), log.EndOffsetForEpoch(3));
        Assert.Equal(new LogAppendInfo(8, 8), log.AppendAsLeader(Batch(1), 5));
    }

    [Fact]
    public void Reopen_AfterATornAppend_KeepsTheWholeBatches()
    {
        var stored = AppendThreeEpochs(Open());
        _log!.Dispose();
        _log = null;
        var segment = Path.Combine(Dir, "00000000000000000000.log");
        using (var file = File.OpenWrite(segment))
        {
            file.SetLength(file.Length - 5);
        }

        var log = Reopen();

        Assert.Equal((6L, 3), (log.EndOffset, log.LastFetchedEpoch));
        Assert.Equal(TestConcat(stored[0], stored[1]), ReadAll(log));
        Assert.Equal("0\n2\n1 0\n3 3\n", File.ReadAllText(Path.Combine(Dir, "leader-epoch-checkpoint")));
    }

    [Fact]
    public void Snapshot_IsAPartFileUntilFrozen_ThenKafkasCheckpointFile()
    {
        var log = Open();
        var stored = AppendThreeEpochs(log);
        var id = new OffsetAndEpoch(6, 3);

        using (var writer = log.CreateNewSnapshot(id))
        {
            writer.Append(TestConcat(stored[0], stored[1]));
            Assert.Equal(stored[0].Length + stored[1].Length, writer.SizeInBytes);
            Assert.Single(Directory.GetFiles(Dir, "*.checkpoint.part"));
            Assert.Null(log.LatestSnapshotId);
            Assert.Null(log.ReadSnapshot(id));

            writer.Freeze();
            Assert.Throws<InvalidOperationException>(() => writer.Append(stored[2]));
        }

        Assert.Empty(Directory.GetFiles(Dir, "*.part"));
        Assert.Equal(TestConcat(stored[0], stored[1]), File.ReadAllBytes(Path.Combine(Dir, "00000000000000000006-0000000003.checkpoint")));
        Assert.Equal((id, id), (log.LatestSnapshotId, log.EarliestSnapshotId));
        using var reader = log.ReadSnapshot(id);
        Assert.NotNull(reader);
        Assert.Equal(stored[0].Length + stored[1].Length, reader.SizeInBytes);
        Assert.Equal(stored[0][5..15], reader.Slice(5, 10).ToArray());
        Assert.Equal(stored[1][^4..], reader.Slice(reader.SizeInBytes - 4, 100).ToArray());
        Assert.Equal(0, reader.Slice(reader.SizeInBytes, 100).Length);
    }

    [Fact]
    public void Snapshot_WriterDisposedUnfrozen_LeavesNothing_AndPartialBatchesAreRefused()
    {
        var log = Open();
        var stored = AppendThreeEpochs(log);

        using (var writer = log.CreateNewSnapshot(new OffsetAndEpoch(3, 1)))
        {
            Assert.Throws<ArgumentException>(() => writer.Append(stored[0].AsMemory(..^1)));
            var damaged = stored[0].ToArray();
            damaged[^1] ^= 1;
            Assert.Throws<InvalidDataException>(() => writer.Append(damaged));
            writer.Append(stored[0]);
        }

        Assert.Empty(Directory.GetFiles(Dir, "*.checkpoint*"));
        Assert.Null(log.LatestSnapshotId);
    }

    [Fact]
    public void Reopen_DeletesLeftoverPartialSnapshots_AndKeepsComplete_Ones()
    {
        var log = Open();
        var stored = AppendThreeEpochs(log);
        using (var writer = log.CreateNewSnapshot(new OffsetAndEpoch(3, 1)))
        {
            writer.Append(stored[0]);
            writer.Freeze();
        }

        File.WriteAllBytes(Path.Combine(Dir, "00000000000000000006-0000000003-77.checkpoint.part"), stored[1]);
        File.WriteAllBytes(Path.Combine(Dir, "00000000000000000001-0000000001.checkpoint.deleted"), stored[0]);

        log = Reopen();

        Assert.Equal(["00000000000000000003-0000000001.checkpoint"], Directory.GetFiles(Dir, "*.checkpoint*").Select(Path.GetFileName));
        Assert.Equal(new OffsetAndEpoch(3, 1), log.LatestSnapshotId);
    }

    [Fact]
    public void DeleteBeforeSnapshot_MovesTheStartAndDeletesWholeSegmentsAndOlderSnapshots_ThenSurvivesARestart()
    {
        var batch = Batch(2, valueSize: 100);
        var log = Open(segmentBytes: batch.Length * 2);
        for (var epoch = 1; epoch <= 6; epoch++)
        {
            log.AppendAsLeader(batch, epoch);
        }

        Assert.Equal(
            ["00000000000000000000.log", "00000000000000000004.log", "00000000000000000008.log"],
            Directory.GetFiles(Dir, "*.log").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Freeze(log, new OffsetAndEpoch(4, 2), 2);
        Freeze(log, new OffsetAndEpoch(6, 3), 3);
        var latest = new OffsetAndEpoch(6, 3);

        Assert.False(log.DeleteBeforeSnapshot(new OffsetAndEpoch(4, 2)));
        Assert.False(log.DeleteBeforeSnapshot(latest));
        log.UpdateHighWatermark(10);
        Assert.True(log.DeleteBeforeSnapshot(latest));

        Assert.Equal((6L, 12L), (log.StartOffset, log.EndOffset));
        Assert.Equal(
            ["00000000000000000004.log", "00000000000000000008.log"],
            Directory.GetFiles(Dir, "*.log").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["00000000000000000006-0000000003.checkpoint"], Directory.GetFiles(Dir, "*.checkpoint").Select(Path.GetFileName));
        Assert.Equal((latest, latest), (log.EarliestSnapshotId, log.LatestSnapshotId));
        Assert.Equal(new OffsetAndEpoch(-1, -1), log.EndOffsetForEpoch(2));
        Assert.Equal(new OffsetAndEpoch(8, 4), log.EndOffsetForEpoch(4));
        Assert.False(log.DeleteBeforeSnapshot(latest));

        log = Reopen(segmentBytes: batch.Length * 2);

        // As Kafka's: after a restart the log starts at its first segment, whose records before the snapshot are still valid.
        Assert.Equal((4L, 12L, 6), (log.StartOffset, log.EndOffset, log.LastFetchedEpoch));
        Assert.Equal(latest, log.LatestSnapshotId);
        Assert.Equal(TestConcat(Stored(batch, 4, 3), Stored(batch, 6, 4), Stored(batch, 8, 5), Stored(batch, 10, 6)), ReadAll(log));
    }

    [Fact]
    public void TruncateToLatestSnapshot_AFollowerThatDownloadedOne_StartsOverFromIt_AlsoAfterARestart()
    {
        var log = Open();
        AppendThreeEpochs(log);
        var snapshot = new OffsetAndEpoch(20, 7);
        Freeze(log, new OffsetAndEpoch(3, 1), 1);
        Freeze(log, snapshot, 7);

        Assert.True(log.TruncateToLatestSnapshot());

        Assert.Equal((20L, 20L, 20L, 20L, 7), (log.StartOffset, log.EndOffset, log.HighWatermark, log.FlushedOffset, log.LastFetchedEpoch));
        Assert.Equal((snapshot, snapshot), (log.EarliestSnapshotId, log.LatestSnapshotId));
        Assert.Equal(["00000000000000000020.log"], Directory.GetFiles(Dir, "*.log").Select(Path.GetFileName));
        Assert.False(log.TruncateToLatestSnapshot());
        Assert.Equal(new LogAppendInfo(20, 21), log.AppendAsFollower(Stored(Batch(2), 20, 7)));

        log = Reopen();

        Assert.Equal((20L, 22L, 7), (log.StartOffset, log.EndOffset, log.LastFetchedEpoch));
        Assert.Equal(snapshot, log.LatestSnapshotId);
    }

    [Fact]
    public void Open_AfterACrashBetweenDownloadingASnapshotAndReplacingTheLog_StartsOverFromIt()
    {
        var log = Open();
        AppendThreeEpochs(log);
        log.Dispose();
        _log = null;
        File.WriteAllBytes(Path.Combine(Dir, "00000000000000000030-0000000009.checkpoint"), Stored(Batch(1), 29, 9));

        log = Reopen();

        Assert.Equal((30L, 30L, 9), (log.StartOffset, log.EndOffset, log.LastFetchedEpoch));
    }

    [Fact]
    public void Open_ALogPastOffsetZeroWithoutASnapshot_Refuses()
    {
        var batch = Batch(2, valueSize: 100);
        var log = Open(segmentBytes: batch.Length * 2);
        for (var i = 0; i < 4; i++)
        {
            log.AppendAsLeader(batch, 1);
        }

        Freeze(log, new OffsetAndEpoch(4, 1), 1);
        log.UpdateHighWatermark(8);
        Assert.True(log.DeleteBeforeSnapshot(new OffsetAndEpoch(4, 1)));
        log.Dispose();
        _log = null;
        File.Delete(Path.Combine(Dir, "00000000000000000004-0000000001.checkpoint"));

        var error = Assert.Throws<InvalidDataException>(() => Open(segmentBytes: batch.Length * 2));

        Assert.Contains(Dir, error.Message);
        Assert.Contains("starts at offset 4 but no snapshot", error.Message);
    }

    [Fact]
    public void TheMetadataLogDirectory_IsNotAPartitionOfTheLogManager_AndTheOldMetadataFileStaysUntouched()
    {
        Directory.CreateDirectory(Dir);
        var oldFile = Path.Combine(Dir, "metadata.log");
        File.WriteAllBytes(oldFile, [1, 2, 3, 4]);
        var log = Open();
        AppendThreeEpochs(log);
        log.Flush();

        using (var manager = new LogManager([_logDir], _time, NullLoggerFactory.Instance))
        {
            Assert.Empty(manager.LoadLogs(_ => LogConfig.Default).Logs);
            Assert.Throws<ArgumentException>(() => manager.GetOrCreateLog(KafkaRaftLog.TopicPartition, LogConfig.Default));
        }

        log = Reopen();
        Assert.Equal(8, log.EndOffset);
        Assert.Equal([1, 2, 3, 4], File.ReadAllBytes(oldFile));
    }

    private static void Freeze(KafkaRaftLog log, OffsetAndEpoch id, int epoch)
    {
        using var writer = log.CreateNewSnapshot(id);
        writer.Append(Stored(Batch(1), id.Offset - 1, epoch));
        writer.Freeze();
    }

    private static byte[] TestConcat(params byte[][] batches) => [.. batches.SelectMany(b => b)];
}
