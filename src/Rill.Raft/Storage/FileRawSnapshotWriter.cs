using Microsoft.Win32.SafeHandles;
using Rill.Protocol.Records;
using Rill.Storage;

namespace Rill.Raft.Storage;

/// <summary>
/// A snapshot being written (kafka: FileRawSnapshotWriter): whole, CRC-checked record batches appended to a
/// <c>.checkpoint.part</c> file, which <see cref="Freeze"/> fsyncs and renames to its <c>.checkpoint</c> name (then fsyncs
/// the directory), the moment the snapshot becomes complete and visible. Disposed unfrozen, the partial file is deleted;
/// one a crash leaves is deleted when the log next opens.
/// </summary>
internal sealed class FileRawSnapshotWriter : IRawSnapshotWriter
{
    private readonly string _partialPath;
    private readonly string _dir;
    private readonly Action<OffsetAndEpoch> _onFrozen;
    private SafeFileHandle? _file;
    private long _size;
    private bool _frozen;

    public FileRawSnapshotWriter(string dir, OffsetAndEpoch snapshotId, string partialPath, Action<OffsetAndEpoch> onFrozen)
    {
        _dir = dir;
        SnapshotId = snapshotId;
        _partialPath = partialPath;
        _onFrozen = onFrozen;
        _file = File.OpenHandle(partialPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
    }

    public OffsetAndEpoch SnapshotId { get; }

    public long SizeInBytes => _size;

    public void Append(ReadOnlyMemory<byte> batches)
    {
        var file = OpenFile("append to");
        var span = batches.Span;
        var position = 0;
        while (position < span.Length)
        {
            var rest = span[position..];
            if (rest.Length < RecordBatch.HeaderSize || RecordBatch.GetSizeInBytes(rest) < RecordBatch.HeaderSize
                || RecordBatch.GetSizeInBytes(rest) > rest.Length)
            {
                throw new ArgumentException($"snapshot {SnapshotId}: {rest.Length} bytes at {position} are not a whole record batch", nameof(batches));
            }

            var batch = rest[..RecordBatch.GetSizeInBytes(rest)];
            if (RecordBatch.GetMagic(batch) != RecordBatch.CurrentMagic || !RecordBatch.IsCrcValid(batch))
            {
                throw new InvalidDataException($"snapshot {SnapshotId}: the batch at {position} is damaged (magic or CRC-32C)");
            }

            position += batch.Length;
        }

        RandomAccess.Write(file, span, _size);
        _size += span.Length;
    }

    public void Freeze()
    {
        var file = OpenFile("freeze");
        RandomAccess.FlushToDisk(file);
        file.Dispose();
        _file = null;
        File.Move(_partialPath, SnapshotFiles.Path(_dir, SnapshotId), overwrite: true);
        FileSystemSync.FsyncDirectory(_dir);
        _frozen = true;
        _onFrozen(SnapshotId);
    }

    public void Dispose()
    {
        if (_file is null)
        {
            return;
        }

        _file.Dispose();
        _file = null;
        if (!_frozen)
        {
            File.Delete(_partialPath);
        }
    }

    private SafeFileHandle OpenFile(string action)
    {
        if (_frozen)
        {
            throw new InvalidOperationException($"cannot {action} snapshot {SnapshotId}: it is frozen");
        }

        return _file ?? throw new ObjectDisposedException(nameof(FileRawSnapshotWriter), $"snapshot {SnapshotId} was abandoned");
    }
}
