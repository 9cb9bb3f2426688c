using System.Globalization;
using System.Text;

namespace Rill.Storage;

/// <summary>
/// Where each leader epoch starts in one partition's log, kept in the partition directory's
/// <c>leader-epoch-checkpoint</c> in Kafka's text format: a version line (0), a count line, then <c>epoch startOffset</c>
/// lines, epochs and offsets both strictly ascending (kafka: LeaderEpochFileCache, LeaderEpochCheckpointFile). Readers
/// take no lock: they read the published entry array, which is never modified in place. Writers hold the log's append
/// lock and persist with <see cref="Write"/> after a change.
/// </summary>
internal sealed class LeaderEpochFileCache
{
    public const string FileName = "leader-epoch-checkpoint";

    private const int Version = 0;

    private EpochEntry[] _entries;

    public LeaderEpochFileCache(string dir, EpochEntry[] entries)
    {
        Path = System.IO.Path.Combine(dir, FileName);
        _entries = entries;
    }

    public string Path { get; }

    public EpochEntry[] Entries => Volatile.Read(ref _entries);

    /// <summary>The epoch of the latest entry, or null when the cache is empty.</summary>
    public int? LatestEpoch => Volatile.Read(ref _entries) is { Length: > 0 } entries ? entries[^1].Epoch : null;

    /// <summary>
    /// Records that <paramref name="epoch"/> starts at <paramref name="startOffset"/>, as Kafka's <c>assign</c>: nothing
    /// changes when it is the latest epoch already and starts no later; otherwise every entry whose epoch is at least
    /// <paramref name="epoch"/> or whose start is at least <paramref name="startOffset"/> is dropped first, so the entries
    /// stay ascending. Returns whether the entries changed (the caller then writes them) and, through
    /// <paramref name="conflicting"/>, whether entries holding data were dropped (a warning: a caller moved an epoch back).
    /// </summary>
    public bool Assign(int epoch, long startOffset, out bool conflicting)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(startOffset);
        conflicting = false;
        var entries = _entries;
        if (entries.Length > 0 && entries[^1].Epoch == epoch && entries[^1].StartOffset <= startOffset)
        {
            return false;
        }

        var keep = entries.Length;
        while (keep > 0 && (entries[keep - 1].Epoch >= epoch || entries[keep - 1].StartOffset >= startOffset))
        {
            keep--;
        }

        // Kafka warns only when something was lost: more than one entry, or one that had records before the new start.
        var removed = entries.Length - keep;
        conflicting = removed > 1 || (removed == 1 && entries[keep].StartOffset != startOffset);
        Volatile.Write(ref _entries, [.. entries.AsSpan(0, keep), new EpochEntry(epoch, startOffset)]);
        return true;
    }

    /// <summary>Drops every entry starting at or after <paramref name="endOffset"/> (the log was cut there); true when any went.</summary>
    public bool TruncateFromEnd(long endOffset)
    {
        var entries = _entries;
        var keep = entries.Length;
        while (keep > 0 && entries[keep - 1].StartOffset >= endOffset)
        {
            keep--;
        }

        if (keep == entries.Length)
        {
            return false;
        }

        Volatile.Write(ref _entries, entries[..keep]);
        return true;
    }

    /// <summary>
    /// The log now starts at <paramref name="startOffset"/>: entries starting at or before it collapse into the last of
    /// them, moved to start there (Kafka's <c>truncateFromStart</c>, which keeps an entry at the offset itself); true when
    /// anything changed.
    /// </summary>
    public bool TruncateFromStart(long startOffset)
    {
        var entries = _entries;
        var first = 0;
        while (first < entries.Length && entries[first].StartOffset <= startOffset)
        {
            first++;
        }

        if (first == 0 || (first == 1 && entries[0].StartOffset == startOffset))
        {
            return false;
        }

        var kept = entries[(first - 1)..];
        kept[0] = kept[0] with { StartOffset = startOffset };
        Volatile.Write(ref _entries, kept);
        return true;
    }

    /// <summary>Drops every entry; true when there were any.</summary>
    public bool Clear()
    {
        if (_entries.Length == 0)
        {
            return false;
        }

        Volatile.Write(ref _entries, []);
        return true;
    }

    /// <summary>
    /// Kafka's <c>endOffsetFor</c>: the largest epoch at most <paramref name="requestedEpoch"/> and where it ends (the
    /// next epoch's start, or <paramref name="logEndOffset"/> for the latest). A requested epoch below the first entry
    /// answers itself with the first entry's start, since the records before that are gone and a follower must truncate
    /// there; one above every entry, an undefined epoch (-1) or an empty cache answers (-1, -1).
    /// </summary>
    public (int Epoch, long EndOffset) EndOffsetFor(int requestedEpoch, long logEndOffset)
    {
        var entries = Volatile.Read(ref _entries);
        if (requestedEpoch < 0 || entries.Length == 0)
        {
            return (-1, -1);
        }

        if (entries[^1].Epoch == requestedEpoch)
        {
            return (requestedEpoch, logEndOffset);
        }

        // The first entry with an epoch above the requested one; the one before it (if any) is the floor.
        var higher = 0;
        while (higher < entries.Length && entries[higher].Epoch <= requestedEpoch)
        {
            higher++;
        }

        if (higher == entries.Length)
        {
            return (-1, -1);
        }

        return higher == 0
            ? (requestedEpoch, entries[0].StartOffset)
            : (entries[higher - 1].Epoch, entries[higher].StartOffset);
    }

    /// <summary>Writes the entries to a temporary file, fsyncs it, renames it over the checkpoint and fsyncs the directory.</summary>
    public void Write() => Write(Path, Volatile.Read(ref _entries));

    public static void Write(string path, ReadOnlySpan<EpochEntry> entries)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Version}\n{entries.Length}\n");
        foreach (var entry in entries)
        {
            text.Append(CultureInfo.InvariantCulture, $"{entry.Epoch} {entry.StartOffset}\n");
        }

        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        FileSystemSync.FsyncDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
    }

    /// <summary>
    /// The file's entries; null when it does not exist. An empty file is an empty cache (Kafka creates it so). Throws
    /// <see cref="LogCorruptionException"/> when it does not parse or its entries do not ascend.
    /// </summary>
    public static EpochEntry[]? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var text = File.ReadAllText(path);
        if (text.Length == 0)
        {
            return [];
        }

        var lines = text.Split('\n');
        var count = lines.Length;
        if (lines[^1].Length == 0)
        {
            count--;
        }

        if (count < 2 || !int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version != Version)
        {
            throw Corrupt(path, "the version line is not 0");
        }

        if (!int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expected) || expected != count - 2)
        {
            throw Corrupt(path, $"the count line says '{lines[1]}' but {count - 2} entries follow");
        }

        var entries = new EpochEntry[expected];
        for (var i = 0; i < expected; i++)
        {
            var line = lines[i + 2];
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 2
                || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
                || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var startOffset))
            {
                throw Corrupt(path, $"line {i + 3} '{line}' is not 'epoch startOffset'");
            }

            if (i > 0 && (epoch <= entries[i - 1].Epoch || startOffset <= entries[i - 1].StartOffset))
            {
                throw Corrupt(path, $"line {i + 3} '{line}' does not follow epoch {entries[i - 1].Epoch} at offset {entries[i - 1].StartOffset}");
            }

            entries[i] = new EpochEntry(epoch, startOffset);
        }

        return entries;
    }

    private static LogCorruptionException Corrupt(string path, string detail) =>
        new(CorruptionReason.LeaderEpochCheckpointInvalid, $"{path} is corrupt: {detail}");
}
