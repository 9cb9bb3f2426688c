namespace Rill.Storage;

/// <summary>
/// Records a read had found were removed by a truncation (<see cref="Log.TruncateTo"/>, a follower dropping what
/// diverged from its leader) before they were copied out, so they cannot be served. Not a storage fault: the data
/// directory stays online, and a read started now sees the log as it is after the truncation.
/// </summary>
public sealed class LogTruncatedException : Exception
{
    public LogTruncatedException(string message)
        : base(message)
    {
    }
}
