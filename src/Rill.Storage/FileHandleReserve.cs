using Microsoft.Win32.SafeHandles;

namespace Rill.Storage;

/// <summary>
/// Keeps the last file handles of the process for what cannot do without one: accepting a connection, answering
/// /health, loading an assembly on first use, writing a checkpoint. Logs stop opening files when the process is
/// within <see cref="ReservedHandles"/> of its open-file limit, so running out fails the creation of a log
/// (EMFILE, as the OS would say it) while the broker keeps serving. Linux only: there the kernel gives each new
/// file the lowest free descriptor, so a new descriptor numbered n means at least n are open. It is a floor, not a
/// count (a closed low descriptor is reused first), which is all a safety margin needs, and it costs nothing.
/// </summary>
internal static class FileHandleReserve
{
    private const int Emfile = 24;

    private static readonly Lazy<(long Limit, long Threshold)> Bounds = new(ReadBounds);

    /// <summary>An eighth of the limit, at least 64 and at most 1024 handles.</summary>
    public static long ReservedHandles => Bounds.Value.Limit - Bounds.Value.Threshold;

    /// <summary>Closes <paramref name="handle"/> and throws EMFILE when it reached into the reserve.</summary>
    public static SafeFileHandle Check(SafeFileHandle handle, string path)
    {
        var (limit, threshold) = Bounds.Value;
        if (limit <= 0 || (long)handle.DangerousGetHandle() < threshold)
        {
            return handle;
        }

        handle.Dispose();
        throw new IOException($"Too many open files : '{path}' (the last {limit - threshold} of {limit} file handles are kept for connections)", Emfile);
    }

    private static (long Limit, long Threshold) ReadBounds()
    {
        if (ProcessLimits.OpenFiles is not { } limit || limit is 0 or > int.MaxValue)
        {
            return (0, long.MaxValue);
        }

        return (limit, limit - Math.Clamp(limit / 8, 64, 1024));
    }
}
