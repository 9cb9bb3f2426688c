using Rill.Protocol.Messages;

namespace Rill.Raft;

/// <summary>
/// Writes one snapshot in Kafka's format (kafka: <c>RecordsSnapshotWriter</c>): a SnapshotHeader control batch, one
/// data batch per <see cref="Append"/>, then at <see cref="Freeze"/> a SnapshotFooter control batch, all with the
/// snapshot's epoch and offsets counting from 0 within the snapshot. Disposing an unfrozen writer abandons the snapshot.
/// </summary>
public sealed class SnapshotWriter : IDisposable
{
    private readonly KafkaRaftClient _client;
    private readonly IRawSnapshotWriter _writer;
    private readonly long _wallNowMs;
    private long _nextOffset;
    private bool _frozen;
    private bool _disposed;

    internal SnapshotWriter(KafkaRaftClient client, IRawSnapshotWriter writer, long lastContainedLogTimestampMs, long wallNowMs)
    {
        _client = client;
        _writer = writer;
        _wallNowMs = wallNowMs;
        var header = new SnapshotHeaderRecord { Version = RaftBatches.ControlRecordVersion, LastContainedLogTimestamp = lastContainedLogTimestampMs };
        Write(RaftBatches.BuildControl(_nextOffset, writer.SnapshotId.Epoch, wallNowMs, ControlRecordType.SnapshotHeader, header), records: 1);
    }

    public OffsetAndEpoch SnapshotId => _writer.SnapshotId;

    /// <summary>The offset after the last record the snapshot covers minus one: the last contained log offset.</summary>
    public long LastContainedLogOffset => _writer.SnapshotId.Offset - 1;

    public bool IsFrozen => _frozen;

    /// <summary>Appends <paramref name="records"/> as one batch.</summary>
    public void Append(IReadOnlyList<ReadOnlyMemory<byte>> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        ThrowIfDone();
        if (records.Count == 0)
        {
            return;
        }

        Write(RaftBatches.BuildData(_nextOffset, _writer.SnapshotId.Epoch, _wallNowMs, records), records.Count);
    }

    /// <summary>Ends the snapshot with its footer and makes it visible; the log before it may then be deleted.</summary>
    public void Freeze()
    {
        ThrowIfDone();
        var footer = new SnapshotFooterRecord { Version = RaftBatches.ControlRecordVersion };
        Write(RaftBatches.BuildControl(_nextOffset, _writer.SnapshotId.Epoch, _wallNowMs, ControlRecordType.SnapshotFooter, footer), records: 1);
        _client.FreezeSnapshot(_writer);
        _frozen = true;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _writer.Dispose();
    }

    private void Write(byte[] batch, int records)
    {
        _client.AppendToSnapshot(_writer, batch);
        _nextOffset += records;
    }

    private void ThrowIfDone()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_frozen)
        {
            throw new InvalidOperationException($"snapshot {SnapshotId} is frozen");
        }
    }
}
