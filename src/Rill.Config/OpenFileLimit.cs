using Rill.Storage;

namespace Rill.Config;

/// <summary>
/// The process's open-file limit and the partition replicas it leaves room for: each replica holds about three files
/// open (.log, .index, .timeindex of its active segment), and connections, the metadata log and the runtime need the
/// rest. The limit is storage's reading of it (<see cref="ProcessLimits"/>), the same one its handle reserve uses.
/// </summary>
public static class OpenFileLimit
{
    public const int FilesPerPartitionReplica = 3;

    // Where the limit cannot be read (not Linux): POSIX's usual soft default.
    private const long Fallback = 1024;
    private const long MinimumReserve = 256;
    private const int MostReplicas = 1_000_000;

    /// <summary>The soft limit on open files of this process; <see cref="long.MaxValue"/> when unlimited.</summary>
    public static long Current() => ProcessLimits.OpenFiles ?? Fallback;

    /// <summary>Replicas that fit in <paramref name="openFiles"/>: a tenth (at least 256) is kept for everything else, the rest holds three per replica.</summary>
    public static int PartitionReplicas(long openFiles)
    {
        var reserve = Math.Max(MinimumReserve, openFiles / 10);
        var replicas = (openFiles - reserve) / FilesPerPartitionReplica;
        return (int)Math.Clamp(replicas, 1, MostReplicas);
    }
}
