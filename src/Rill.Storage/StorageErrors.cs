namespace Rill.Storage;

/// <summary>
/// Tells I/O errors that mean "the process or the disk ran out of something" from faults of the data itself. Running
/// out of file handles or space while creating files fails that one operation: nothing stored is harmed, and the
/// same operation can succeed once handles or space are freed. Any other I/O error takes the data directory offline.
/// </summary>
internal static class StorageErrors
{
    // .NET on Unix puts the errno in an IOException's HResult (Interop.GetIOException); on Windows it is the
    // HRESULT of the Win32 error.
    private const int Enfile = 23;
    private const int Emfile = 24;
    private const int Enospc = 28;
    private const int Edquot = 122;
    private const int WindowsTooManyOpenFiles = unchecked((int)0x80070004);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);
    private const int WindowsDiskFull = unchecked((int)0x80070070);

    /// <summary>EMFILE, ENFILE (file handles), ENOSPC, EDQUOT (space), or their Windows counterparts.</summary>
    public static bool IsOutOfResources(IOException exception) => exception.HResult is Enfile or Emfile or Enospc or Edquot
        or WindowsTooManyOpenFiles or WindowsHandleDiskFull or WindowsDiskFull;
}
