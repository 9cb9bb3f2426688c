using System.Runtime.InteropServices;

namespace Rill.Storage;

/// <summary>
/// Makes a directory's entries durable (a rename, a created or deleted file), as Kafka's
/// <c>Utils.flushDir</c> does. .NET cannot open a directory as a file, so on Linux this calls libc's
/// open/fsync/close directly; elsewhere it does nothing. Public for the other files kept beside logs that are replaced
/// by a rename (the Raft quorum state, snapshots).
/// </summary>
public static class FileSystemSync
{
    // O_RDONLY; O_DIRECTORY is left out because its value differs between x64 and arm64, and a directory opens read-only without it.
    private const int ReadOnly = 0;

    public static void FsyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(path, ReadOnly);
        if (fd < 0)
        {
            // The errno as HResult, as .NET's own IOExceptions carry it, so EMFILE is told from a fault (StorageErrors).
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot open directory {path} to sync it (errno {errno})", errno);
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new IOException($"fsync of directory {path} failed (errno {errno})", errno);
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // DllImport rather than LibraryImport: the source-generated stubs need unsafe code, which Rill does not allow.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int fd);
}
