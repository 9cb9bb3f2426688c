using Microsoft.Extensions.Logging;
using Rill.Metadata;
using Rill.Raft;

namespace Rill.Server.Quorum;

/// <summary>
/// Writes metadata snapshots (kafka: SnapshotGenerator, KIP-630) so that a restart loads the latest snapshot and the
/// records after it instead of the whole metadata log, and the log before a snapshot can be deleted. A snapshot is
/// taken of the image as applied after a committed batch, once <c>metadata.log.max.record.bytes.between.snapshots</c>
/// of records arrived since the last one, or <c>metadata.log.max.snapshot.interval.ms</c> passed with any records.
/// Images are immutable, so the snapshot is written on a task of its own while later batches keep applying; one at a time.
/// </summary>
internal sealed class SnapshotGenerator
{
    // Records per snapshot batch: Kafka's writer fills batches up to 8 KiB; a few hundred records stay near that.
    private const int RecordsPerBatch = 256;

    private readonly KafkaRaftClient _raft;
    private readonly long _maxBytesBetween;
    private readonly long _maxIntervalMs;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _bytesSince;
    private long _lastSnapshotAtMs;
    private Task _writing = Task.CompletedTask;

    public SnapshotGenerator(KafkaRaftClient raft, long maxBytesBetween, long maxIntervalMs, TimeProvider time, ILogger logger)
    {
        _raft = raft;
        _maxBytesBetween = maxBytesBetween;
        _maxIntervalMs = maxIntervalMs;
        _time = time;
        _logger = logger;
        _lastSnapshotAtMs = time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    /// <summary>Called on the apply task after <paramref name="batch"/> was applied, with the image it produced.</summary>
    public void Applied(RaftBatch batch, MetadataImage image)
    {
        foreach (var record in batch.Records)
        {
            _bytesSince += record.Length;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var due = _bytesSince >= _maxBytesBetween || (_maxIntervalMs > 0 && _bytesSince > 0 && now - _lastSnapshotAtMs >= _maxIntervalMs);
        if (!due || !_writing.IsCompleted)
        {
            return;
        }

        var snapshotId = new OffsetAndEpoch(batch.LastOffset + 1, batch.Epoch);
        _bytesSince = 0;
        _lastSnapshotAtMs = now;
        _writing = Task.Run(() => Write(snapshotId, batch.AppendTimestampMs, image));
    }

    /// <summary>Completes when the snapshot being written, if any, is done.</summary>
    public Task WhenIdle => _writing;

    private void Write(OffsetAndEpoch snapshotId, long lastContainedLogTimestampMs, MetadataImage image)
    {
        try
        {
            if (_raft.LatestSnapshotId is { } latest && latest.Offset >= snapshotId.Offset)
            {
                return;
            }

            using var writer = _raft.CreateSnapshot(snapshotId, lastContainedLogTimestampMs);
            var records = MetadataSnapshot.RecordsOf(image);
            for (var start = 0; start < records.Count; start += RecordsPerBatch)
            {
                var count = Math.Min(RecordsPerBatch, records.Count - start);
                var values = new ReadOnlyMemory<byte>[count];
                for (var i = 0; i < count; i++)
                {
                    values[i] = MetadataQuorum.Serialize(records[start + i]);
                }

                writer.Append(values);
            }

            writer.Freeze();
            QuorumLog.SnapshotWritten(_logger, snapshotId.Offset, snapshotId.Epoch, records.Count);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or ObjectDisposedException)
        {
            // Out of disk or file handles, a snapshot the log already has, or the node stopping: the log still holds
            // every record, and the next threshold tries again.
            QuorumLog.SnapshotFailed(_logger, snapshotId.Offset, snapshotId.Epoch, exception);
        }
    }
}
