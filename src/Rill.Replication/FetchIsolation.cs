namespace Rill.Replication;

/// <summary>How far a fetch may read (kafka: <c>FetchIsolation</c>).</summary>
public enum FetchIsolation
{
    /// <summary>To the log end offset: followers replicating the log.</summary>
    LogEnd,

    /// <summary>To the high watermark: read_uncommitted consumers.</summary>
    HighWatermark,

    /// <summary>To the last stable offset: read_committed consumers (the high watermark until transactions exist).</summary>
    TxnCommitted,
}
