namespace Rill.Storage;

internal enum LogState
{
    Online,

    /// <summary>Its data directory failed: every call answers KAFKA_STORAGE_ERROR.</summary>
    Offline,

    /// <summary>Shut down or disposed with its manager.</summary>
    Closed,

    /// <summary>Removed by <see cref="LogManager.DeleteLog"/>.</summary>
    Deleted,
}
