namespace Rill.Raft.Storage;

/// <summary>
/// The <c>quorum-state</c> file exists but cannot be read or does not hold a valid election state. A voter that cannot
/// tell which epoch it voted in, or for whom, must not start and guess: it could vote twice in one epoch.
/// </summary>
public sealed class QuorumStateFileException : IOException
{
    public QuorumStateFileException(string path, string message)
        : base($"{path}: {message}")
    {
        Path = path;
    }

    public QuorumStateFileException(string path, string message, Exception innerException)
        : base($"{path}: {message}", innerException)
    {
        Path = path;
    }

    public string Path { get; }
}
