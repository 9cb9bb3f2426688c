namespace Rill.Storage;

/// <summary>What a <see cref="Log"/> needs from the <see cref="LogManager"/> that owns it.</summary>
internal interface ILogHost
{
    ILogAppendListener? AppendListener { get; }

    /// <summary>An I/O error in <paramref name="log"/>: its whole data directory goes offline.</summary>
    void OnStorageFailure(Log log, Exception exception);
}
