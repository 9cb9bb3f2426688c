using Microsoft.Extensions.Logging;
using Rill.Common;

namespace Rill.Storage;

/// <summary>A log that no <see cref="LogManager"/> owns, such as the metadata quorum's <c>__cluster_metadata-0</c>.</summary>
public sealed partial class Log
{
    /// <summary>
    /// Opens (or creates) the log in <paramref name="dir"/> on its own, as Kafka's metadata log opens its UnifiedLog:
    /// with no checkpoints, every open recovers it from the first segment (lengths, CRC-32C, indexes, the epoch cache),
    /// which snapshots keep short. Its owner drives what a manager would: <see cref="Flush"/>, <see cref="RunRetention"/>
    /// and <see cref="Close"/>. An I/O error takes the log offline: every later call fails with KAFKA_STORAGE_ERROR.
    /// </summary>
    public static Log Open(string dir, TopicPartition topicPartition, LogConfig config, TimeProvider time, ILogger logger)
    {
        config.Validate();
        var parent = Path.GetDirectoryName(Path.GetFullPath(dir))!;
        if (!Directory.Exists(dir))
        {
            Directory.CreateDirectory(dir);
            FileSystemSync.FsyncDirectory(parent);
        }

        return LogLoader.Load(topicPartition, parent, dir, config, hadCleanShutdown: false, recoveryPointCheckpoint: null,
            logStartOffsetCheckpoint: null, time, logger, new StandaloneLogHost(logger)).Log;
    }

    /// <summary>
    /// Fsyncs everything appended and moves <see cref="RecoveryPoint"/> to <see cref="LogEndOffset"/>. Throws
    /// <see cref="KafkaException"/> with KAFKA_STORAGE_ERROR when the log is not online or the fsync failed.
    /// </summary>
    public void Flush()
    {
        ThrowIfNotOnline("flush");
        FlushUpTo(LogEndOffset);
        ThrowIfNotOnline("flush");
    }

    /// <summary>
    /// Closes a log opened with <see cref="Open"/>: flushes it and records what a restart needs (the epoch cache), then
    /// closes its files. A log a <see cref="LogManager"/> owns is closed by it, never here.
    /// </summary>
    public void Close()
    {
        if (_host is not StandaloneLogHost)
        {
            throw new InvalidOperationException($"{TopicPartition} belongs to its LogManager, which closes it");
        }

        Close(clean: State == LogState.Online, LogState.Closed);
    }
}
