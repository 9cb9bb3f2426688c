using System.Globalization;

namespace Rill.Raft.Storage;

/// <summary>
/// Kafka's snapshot file names in the metadata partition's directory (kafka: Snapshots): the snapshot's end offset
/// zero-padded to 20 digits, a dash, its epoch zero-padded to 10, then <c>.checkpoint</c>; <c>.checkpoint.part</c> while
/// it is written, <c>.checkpoint.deleted</c> once marked for deletion.
/// </summary>
internal static class SnapshotFiles
{
    public const string Suffix = ".checkpoint";
    public const string PartialSuffix = ".checkpoint.part";
    public const string DeletedSuffix = ".checkpoint.deleted";

    private const int OffsetWidth = 20;
    private const int EpochWidth = 10;

    public static string Name(OffsetAndEpoch snapshotId) =>
        string.Create(CultureInfo.InvariantCulture, $"{snapshotId.Offset:D20}-{snapshotId.Epoch:D10}");

    public static string Path(string dir, OffsetAndEpoch snapshotId) => System.IO.Path.Combine(dir, Name(snapshotId) + Suffix);

    /// <summary>
    /// The id a snapshot file's name starts with, and what kind of file it is; false for other files. Partial files may
    /// carry more after the id (Kafka's writer adds a random part), as Kafka's parser allows.
    /// </summary>
    public static bool TryParse(string fileName, out OffsetAndEpoch snapshotId, out SnapshotFileKind kind)
    {
        snapshotId = default;
        kind = fileName.EndsWith(PartialSuffix, StringComparison.Ordinal) ? SnapshotFileKind.Partial
            : fileName.EndsWith(DeletedSuffix, StringComparison.Ordinal) ? SnapshotFileKind.Deleted
            : fileName.EndsWith(Suffix, StringComparison.Ordinal) ? SnapshotFileKind.Complete
            : SnapshotFileKind.None;
        if (kind == SnapshotFileKind.None || fileName.Length < OffsetWidth + 1 + EpochWidth + Suffix.Length || fileName[OffsetWidth] != '-'
            || !long.TryParse(fileName.AsSpan(0, OffsetWidth), NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            || !int.TryParse(fileName.AsSpan(OffsetWidth + 1, EpochWidth), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch))
        {
            kind = SnapshotFileKind.None;
            return false;
        }

        if (kind == SnapshotFileKind.Complete && fileName.Length != OffsetWidth + 1 + EpochWidth + Suffix.Length)
        {
            kind = SnapshotFileKind.None;
            return false;
        }

        snapshotId = new OffsetAndEpoch(offset, epoch);
        return true;
    }

    /// <summary>Snapshot ids in Kafka's order: by end offset, then epoch.</summary>
    public static int Compare(OffsetAndEpoch a, OffsetAndEpoch b) => a.Offset != b.Offset ? a.Offset.CompareTo(b.Offset) : a.Epoch.CompareTo(b.Epoch);
}

internal enum SnapshotFileKind
{
    None,
    Complete,
    Partial,
    Deleted,
}
