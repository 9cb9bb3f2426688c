namespace Rill.Storage;

/// <summary>What a <see cref="Log"/> needs from the <see cref="LogManager"/> that owns it.</summary>
internal interface ILogHost
{
    ILogAppendListener? AppendListener { get; }

    /// <summary>An I/O error in <paramref name="log"/>: its whole data directory goes offline.</summary>
    void OnStorageFailure(Log log, Exception exception);

    /// <summary>
    /// <paramref name="log"/> was truncated (its append lock is held): offsets it had called flushed may be written
    /// again, so the recovery point on disk must come down before the next append, or a crash would skip recovering them.
    /// </summary>
    void OnTruncated(Log log);
}
