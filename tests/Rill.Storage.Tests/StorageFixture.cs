using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rill.Common;
using Rill.Protocol.Records;
using Rill.Storage.Tests.Records;

namespace Rill.Storage.Tests;

/// <summary>A per-test data directory, a fake clock and a <see cref="LogManager"/> that can be crashed and reopened.</summary>
internal sealed class StorageFixture : IDisposable
{
    public static readonly TopicPartition Partition = new("orders", 0);

    private readonly string _root;

    private readonly long _cleanerDedupeBufferBytes;

    public StorageFixture(int logDirCount = 1, long cleanerDedupeBufferBytes = 128L * 1024 * 1024)
    {
        _root = Path.Combine(Path.GetTempPath(), "rill-storage-tests", Guid.NewGuid().ToString("N"));
        LogDirs = [.. Enumerable.Range(0, logDirCount).Select(i => Path.Combine(_root, $"data{i}"))];
        _cleanerDedupeBufferBytes = cleanerDedupeBufferBytes;
        Manager = NewManager();
    }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));

    public string[] LogDirs { get; }

    public string LogDir => LogDirs[0];

    public LogManager Manager { get; private set; }

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public string PartitionDir(TopicPartition topicPartition) => Path.Combine(LogDir, $"{topicPartition.Topic}-{topicPartition.Partition}");

    public string SegmentFile(long baseOffset, string suffix, TopicPartition? topicPartition = null) =>
        Path.Combine(PartitionDir(topicPartition ?? Partition), $"{baseOffset:D20}{suffix}");

    public Log CreateLog(LogConfig? config = null) => Manager.GetOrCreateLog(Partition, config ?? LogConfig.Default);

    /// <summary>Appends a copy of <paramref name="batch"/> and asserts it was accepted.</summary>
    public static AppendResult Append(Log log, byte[] batch, int leaderEpoch = 0)
    {
        var result = log.AppendAsLeader(batch.ToArray(), leaderEpoch);
        Assert.Equal(ErrorCode.None, result.ErrorCode);
        return result;
    }

    /// <summary>Appends <paramref name="count"/> records stamped with the fake clock's time.</summary>
    public AppendResult Append(Log log, int count, CompressionCodec codec = CompressionCodec.None) =>
        Append(log, TestBatches.Build(count, NowMs, codec));

    /// <summary>Closes every file without a clean shutdown, as kill -9 would.</summary>
    public void Crash() => Manager.Dispose();

    public void Shutdown()
    {
        Manager.Shutdown();
        Manager.Dispose();
    }

    /// <summary>A new manager over the same directories (the previous one must be crashed or shut down).</summary>
    public LoadLogsResult Reopen(LogConfig? config = null)
    {
        Manager = NewManager();
        return Manager.LoadLogs(_ => config ?? LogConfig.Default);
    }

    public Log ReopenedLog()
    {
        Assert.True(Manager.TryGetLog(Partition, out var log));
        return log;
    }

    /// <summary>Every byte the log holds from <paramref name="offset"/>, read through the public API.</summary>
    public static byte[] ReadAll(Log log, long offset = 0)
    {
        var bytes = new List<byte>();
        while (offset < log.LogEndOffset)
        {
            using var result = log.Read(offset, int.MaxValue, log.LogEndOffset, minOneBatch: true);
            Assert.Equal(ErrorCode.None, result.ErrorCode);
            Assert.False(result.Records.IsEmpty);
            bytes.AddRange(result.Records.ToArray());
            offset = LastBatchNextOffset(result.Records.Span);
        }

        return [.. bytes];
    }

    /// <summary>Base offsets of the batches in <paramref name="records"/>.</summary>
    public static List<long> BaseOffsets(ReadOnlySpan<byte> records)
    {
        var offsets = new List<long>();
        while (!records.IsEmpty)
        {
            offsets.Add(RecordBatch.GetBaseOffset(records));
            records = records[RecordBatch.GetSizeInBytes(records)..];
        }

        return offsets;
    }

    public void Dispose()
    {
        Manager.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private LogManager NewManager() =>
        new(LogDirs, Time, NullLoggerFactory.Instance) { CleanerDedupeBufferBytes = _cleanerDedupeBufferBytes };

    private static long LastBatchNextOffset(ReadOnlySpan<byte> records)
    {
        var next = 0L;
        while (!records.IsEmpty)
        {
            next = RecordBatch.GetNextOffset(records);
            records = records[RecordBatch.GetSizeInBytes(records)..];
        }

        return next;
    }
}
