using Microsoft.Win32.SafeHandles;

namespace Rill.Raft.Storage;

/// <summary>
/// A complete snapshot's file, read in slices for FetchSnapshot and for loading (kafka: FileRawSnapshotReader). It keeps
/// the file open, so it reads on after the snapshot is deleted; the caller disposes it.
/// </summary>
internal sealed class FileRawSnapshotReader : IRawSnapshotReader
{
    private readonly SafeFileHandle _file;

    private FileRawSnapshotReader(OffsetAndEpoch snapshotId, SafeFileHandle file)
    {
        SnapshotId = snapshotId;
        _file = file;
        SizeInBytes = RandomAccess.GetLength(file);
    }

    public OffsetAndEpoch SnapshotId { get; }

    public long SizeInBytes { get; }

    /// <summary>Null when the file is not there.</summary>
    public static FileRawSnapshotReader? TryOpen(string path, OffsetAndEpoch snapshotId)
    {
        try
        {
            return new FileRawSnapshotReader(snapshotId, File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    public ReadOnlyMemory<byte> Slice(long position, int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(position, SizeInBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var bytes = new byte[(int)Math.Min(maxBytes, SizeInBytes - position)];
        var filled = 0;
        while (filled < bytes.Length)
        {
            var read = RandomAccess.Read(_file, bytes.AsSpan(filled), position + filled);
            if (read == 0)
            {
                throw new IOException($"snapshot {SnapshotId} ended at {position + filled}, before its {SizeInBytes} bytes");
            }

            filled += read;
        }

        return bytes;
    }

    public void Dispose() => _file.Dispose();
}
