namespace Rill.Storage;

/// <summary>A partition file that fails its checks on open; <see cref="Reason"/> names the failure.</summary>
public sealed class LogCorruptionException : IOException
{
    public LogCorruptionException(CorruptionReason reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public CorruptionReason Reason { get; }
}
