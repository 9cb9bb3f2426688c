using Rill.Protocol.Records;

namespace Rill.Storage;

/// <summary>
/// One partition's log settings, named after Kafka's topic configs (broker synonyms in brackets). The
/// server maps the keys onto this record; <see cref="Log.Config"/> can be replaced while the log runs.
/// </summary>
public sealed record LogConfig
{
    /// <summary>Kafka's defaults.</summary>
    public static LogConfig Default { get; } = new();

    /// <summary><c>segment.bytes</c> (<c>log.segment.bytes</c>): roll when the active segment would grow past this.</summary>
    public int SegmentBytes { get; init; } = 1024 * 1024 * 1024;

    /// <summary><c>segment.ms</c> (<c>log.roll.ms</c>/<c>log.roll.hours</c>): roll a segment this old.</summary>
    public long SegmentMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>retention.ms</c>: delete segments whose newest record is older; -1 keeps them forever.</summary>
    public long RetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary><c>retention.bytes</c>: delete oldest segments while the log is larger; -1 is no limit.</summary>
    public long RetentionBytes { get; init; } = -1;

    /// <summary><c>flush.messages</c>: fsync after this many offsets; the default leaves it to the page cache, as Kafka.</summary>
    public long FlushMessages { get; init; } = long.MaxValue;

    /// <summary><c>flush.ms</c>: fsync when the last flush is this old; the default never does.</summary>
    public long FlushMs { get; init; } = long.MaxValue;

    /// <summary><c>index.interval.bytes</c>: bytes between offset index entries.</summary>
    public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary><c>segment.index.bytes</c>: most bytes of one index file; a full index rolls the segment.</summary>
    public int SegmentIndexBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary><c>message.timestamp.type</c>.</summary>
    public TimestampType MessageTimestampType { get; init; } = TimestampType.CreateTime;

    /// <summary><c>max.message.bytes</c> (<c>message.max.bytes</c>): largest batch accepted, header included.</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024 + 12;

    /// <summary><c>message.timestamp.before.max.ms</c>: CreateTime records may be at most this old.</summary>
    public long MessageTimestampBeforeMaxMs { get; init; } = long.MaxValue;

    /// <summary><c>message.timestamp.after.max.ms</c>: CreateTime records may be at most this far ahead.</summary>
    public long MessageTimestampAfterMaxMs { get; init; } = long.MaxValue;

    /// <summary><c>file.delete.delay.ms</c> (<c>log.segment.delete.delay.ms</c>): deleted segments' files linger this long for reads in flight.</summary>
    public long FileDeleteDelayMs { get; init; } = 60_000;

    /// <summary>
    /// <c>min.insync.replicas</c>: the in-sync replicas an acks=-1 write needs. Storage does not use it; it rides here
    /// because it is a topic config the replication layer reads per partition, as in Kafka's LogConfig.
    /// </summary>
    public int MinInSyncReplicas { get; init; } = 1;

    /// <summary><c>cleanup.policy</c> (<c>log.cleanup.policy</c>): retention, compaction, or both.</summary>
    public CleanupPolicy CleanupPolicy { get; init; } = CleanupPolicy.Delete;

    /// <summary>
    /// <c>delete.retention.ms</c> (<c>log.cleaner.delete.retention.ms</c>): a tombstone (a record with a key and a null
    /// value) is kept this long after the cleaner first kept it, so consumers that catch up in time see the delete.
    /// </summary>
    public long DeleteRetentionMs { get; init; } = 24L * 60 * 60 * 1000;

    /// <summary><c>min.compaction.lag.ms</c> (<c>log.cleaner.min.compaction.lag.ms</c>): a segment with a record younger than this is not compacted.</summary>
    public long MinCompactionLagMs { get; init; }

    /// <summary>
    /// <c>max.compaction.lag.ms</c> (<c>log.cleaner.max.compaction.lag.ms</c>): a log whose oldest uncompacted segment
    /// began longer ago than this is compacted whatever its dirty ratio.
    /// </summary>
    public long MaxCompactionLagMs { get; init; } = long.MaxValue;

    /// <summary>
    /// <c>min.cleanable.dirty.ratio</c> (<c>log.cleaner.min.cleanable.ratio</c>): compact once the bytes not yet compacted
    /// are more than this share of the compactable bytes.
    /// </summary>
    public double MinCleanableDirtyRatio { get; init; } = 0.5;

    /// <summary><see cref="CleanupPolicy"/> includes compact: the log is compacted and records must have a key.</summary>
    public bool Compact => (CleanupPolicy & CleanupPolicy.Compact) != 0;

    /// <summary><see cref="CleanupPolicy"/> includes delete: <see cref="RetentionMs"/> and <see cref="RetentionBytes"/> apply.</summary>
    public bool Delete => (CleanupPolicy & CleanupPolicy.Delete) != 0;

    /// <summary>
    /// Most bytes a compressed batch may inflate to while it is validated. Not a Kafka key: Kafka inflates
    /// without a limit. 64 times <see cref="MaxMessageBytes"/> admits any real producer's ratio while a zip
    /// bomb stops early; decompression streams through a fixed window, so this bounds CPU, not a buffer.
    /// </summary>
    public long MaxUncompressedBatchBytes => Math.Clamp(MaxMessageBytes * 64L, 16L * 1024 * 1024, 1024L * 1024 * 1024);

    /// <summary>Refuses values Kafka refuses, naming the key; returns this config for chaining.</summary>
    public LogConfig Validate()
    {
        Require(SegmentBytes >= 14, "segment.bytes", SegmentBytes, "at least 14");
        Require(SegmentMs >= 1, "segment.ms", SegmentMs, "at least 1");
        Require(RetentionMs >= -1, "retention.ms", RetentionMs, "-1 or more");
        Require(FlushMessages >= 1, "flush.messages", FlushMessages, "at least 1");
        Require(FlushMs >= 0, "flush.ms", FlushMs, "0 or more");
        Require(IndexIntervalBytes >= 0, "index.interval.bytes", IndexIntervalBytes, "0 or more");
        Require(SegmentIndexBytes >= 12, "segment.index.bytes", SegmentIndexBytes, "at least 12, one time index entry");
        Require(MaxMessageBytes >= 0, "max.message.bytes", MaxMessageBytes, "0 or more");
        Require(MessageTimestampBeforeMaxMs >= 0, "message.timestamp.before.max.ms", MessageTimestampBeforeMaxMs, "0 or more");
        Require(MessageTimestampAfterMaxMs >= 0, "message.timestamp.after.max.ms", MessageTimestampAfterMaxMs, "0 or more");
        Require(MinInSyncReplicas >= 1, "min.insync.replicas", MinInSyncReplicas, "at least 1");
        Require(FileDeleteDelayMs >= 0, "file.delete.delay.ms", FileDeleteDelayMs, "0 or more");
        Require(Enum.IsDefined(MessageTimestampType), "message.timestamp.type", (long)MessageTimestampType, "CreateTime or LogAppendTime");
        Require((CleanupPolicy & ~(CleanupPolicy.Delete | CleanupPolicy.Compact)) == 0, "cleanup.policy", (long)CleanupPolicy, "delete, compact or both");
        Require(DeleteRetentionMs >= 0, "delete.retention.ms", DeleteRetentionMs, "0 or more");
        Require(MinCompactionLagMs >= 0, "min.compaction.lag.ms", MinCompactionLagMs, "0 or more");
        Require(MaxCompactionLagMs >= 1, "max.compaction.lag.ms", MaxCompactionLagMs, "at least 1");
        Require(MinCompactionLagMs <= MaxCompactionLagMs, "min.compaction.lag.ms", MinCompactionLagMs,
            $"at most max.compaction.lag.ms={MaxCompactionLagMs}");
        if (!(MinCleanableDirtyRatio is >= 0 and <= 1))
        {
            throw new ArgumentException($"min.cleanable.dirty.ratio={MinCleanableDirtyRatio} is invalid: must be between 0 and 1");
        }

        return this;
    }

    private static void Require(bool condition, string key, long value, string expected)
    {
        if (!condition)
        {
            throw new ArgumentException($"{key}={value} is invalid: must be {expected}");
        }
    }
}
