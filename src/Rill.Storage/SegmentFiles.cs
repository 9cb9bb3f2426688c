using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Rill.Storage;

/// <summary>Kafka's file names inside a partition directory, and how we open them.</summary>
internal static class SegmentFiles
{
    public const string LogSuffix = ".log";
    public const string IndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";

    /// <summary>Appended to a segment's files when retention removes it, until <c>file.delete.delay.ms</c> passes.</summary>
    public const string DeletedSuffix = ".deleted";

    /// <summary>Appended to the files the log cleaner is writing; a crash leaves them to be deleted at the next load.</summary>
    public const string CleanedSuffix = ".cleaned";

    /// <summary>
    /// Cleaned files renamed from <see cref="CleanedSuffix"/> once complete and flushed: a <c>.log.swap</c> file commits
    /// the replacement, which the next load finishes if a crash interrupted it.
    /// </summary>
    public const string SwapSuffix = ".swap";

    public static string BaseName(long baseOffset) => baseOffset.ToString("D20", CultureInfo.InvariantCulture);

    public static string LogPath(string dir, long baseOffset) => Path.Combine(dir, BaseName(baseOffset) + LogSuffix);

    public static string IndexPath(string dir, long baseOffset) => Path.Combine(dir, BaseName(baseOffset) + IndexSuffix);

    public static string TimeIndexPath(string dir, long baseOffset) => Path.Combine(dir, BaseName(baseOffset) + TimeIndexSuffix);

    /// <summary>Parses <c>00000000000000001234</c> from a file name with the given suffix.</summary>
    public static bool TryParseBaseOffset(string fileName, string suffix, out long baseOffset)
    {
        baseOffset = -1;
        if (!fileName.EndsWith(suffix, StringComparison.Ordinal))
        {
            return false;
        }

        var stem = fileName.AsSpan(0, fileName.Length - suffix.Length);
        return stem.Length == 20
            && long.TryParse(stem, NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }

    /// <summary>
    /// The seam for tests of running out of handles or space, which cannot be caused for one test without starving the
    /// whole test process: when set on a thread, every <see cref="OpenForWrite"/> on that thread first asks it and
    /// throws the exception it returns. Thread-static so tests running in parallel do not see each other's faults.
    /// </summary>
    [field: ThreadStatic]
    internal static Func<string, IOException?>? OpenFault { get; set; }

    /// <summary>
    /// Read-write, positional I/O only. Shared so tools (and crash tests) can inspect files; Linux locks are advisory anyway.
    /// </summary>
    public static SafeFileHandle OpenForWrite(string path, FileMode mode)
    {
        if (OpenFault?.Invoke(path) is { } fault)
        {
            throw fault;
        }

        return FileHandleReserve.Check(File.OpenHandle(path, mode, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete), path);
    }
}
