using System.Runtime.InteropServices;

namespace Rill.Storage;

/// <summary>The process's soft limit on open files (<c>ulimit -n</c>), read once with getrlimit.</summary>
public static class ProcessLimits
{
    private const int RlimitNofile = 7;

    private static readonly Lazy<long?> Limit = new(Read);

    /// <summary>
    /// The soft open-file limit that open(2) enforces; <see cref="long.MaxValue"/> when unlimited; null where it cannot
    /// be read (not 64-bit Linux).
    /// </summary>
    public static long? OpenFiles => Limit.Value;

    private static long? Read()
    {
        // struct rlimit { rlim_t rlim_cur; rlim_t rlim_max; }, two 64-bit values on 64-bit Linux.
        var rlimit = new ulong[2];
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess || GetRlimit(RlimitNofile, rlimit) != 0)
        {
            return null;
        }

        return rlimit[0] > long.MaxValue ? long.MaxValue : (long)rlimit[0];
    }

    [DllImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int GetRlimit(int resource, [Out] ulong[] limit);
}
