using Rill.Common;
using Rill.Storage;

namespace Rill.Replication;

public sealed partial class ReplicaManager
{
    /// <summary>Kafka's file of each data directory's high watermarks (kafka: <c>ReplicaManager.HighWatermarkFilename</c>).</summary>
    public const string HighWatermarkCheckpointFileName = "replication-offset-checkpoint";

    private readonly Lock _checkpointLock = new();

    /// <summary>The checkpointed high watermarks of each data directory, read once, when its first partition is created.</summary>
    private readonly Dictionary<string, Dictionary<TopicPartition, long>> _checkpointedHighWatermarks = new(StringComparer.Ordinal);

    /// <summary>
    /// Writes every online data directory's <c>replication-offset-checkpoint</c>: each partition's high watermark, so that
    /// a restarted leader serves what was committed before its followers fetch again, instead of hiding it (kafka:
    /// <c>ReplicaManager.checkpointHighWatermarks</c>, every <c>replica.high.watermark.checkpoint.interval.ms</c> and at
    /// shutdown). A directory that cannot be written keeps its previous file, which is older, never wrong.
    /// </summary>
    public void CheckpointHighWatermarks()
    {
        lock (_checkpointLock)
        {
            var offline = _logs.OfflineLogDirs;
            foreach (var logDir in _logs.LogDirs)
            {
                if (offline.Contains(logDir))
                {
                    continue;
                }

                var entries = _partitions.Values
                    .Where(partition => partition.LogDir == logDir)
                    .OrderBy(partition => partition.TopicPartition.Topic, StringComparer.Ordinal)
                    .ThenBy(partition => partition.TopicPartition.Partition)
                    .Select(partition => KeyValuePair.Create(partition.TopicPartition, partition.HighWatermark))
                    .ToList();
                try
                {
                    CheckpointFile.Write(Path.Combine(logDir, HighWatermarkCheckpointFileName), entries);
                }
                catch (IOException exception)
                {
                    ReplicationLog.HighWatermarkCheckpointFailed(_logger, logDir, exception.Message);
                }
            }
        }
    }

    /// <summary>The high watermark <paramref name="log"/> had at the last checkpoint of its directory; null when none was kept.</summary>
    private long? CheckpointedHighWatermark(Log log)
    {
        lock (_checkpointLock)
        {
            if (!_checkpointedHighWatermarks.TryGetValue(log.LogDir, out var highWatermarks))
            {
                try
                {
                    highWatermarks = CheckpointFile.Read(Path.Combine(log.LogDir, HighWatermarkCheckpointFileName));
                }
                catch (Exception exception) when (exception is LogCorruptionException or IOException)
                {
                    // Without it the high watermarks start at the log start offsets and are learned again: safe, only slower.
                    ReplicationLog.HighWatermarkCheckpointUnreadable(_logger, log.LogDir, exception.Message);
                    highWatermarks = [];
                }

                _checkpointedHighWatermarks[log.LogDir] = highWatermarks;
            }

            return highWatermarks.TryGetValue(log.TopicPartition, out var highWatermark) ? highWatermark : null;
        }
    }
}
