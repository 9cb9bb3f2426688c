using Microsoft.Extensions.Logging;

namespace Rill.Raft.Storage;

/// <summary>Log messages of the metadata log's storage; event ids 6100-6199 (of the 6000-6999 the Raft client leaves to its storage).</summary>
internal static partial class RaftStorageLog
{
    [LoggerMessage(EventId = 6100, Level = LogLevel.Information, Message = "Removed snapshot file {Path}: {Reason}")]
    public static partial void SnapshotFileRemoved(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Information,
        Message = "Metadata log now starts at snapshot {Offset} (epoch {Epoch}): {Segments} segments and {Snapshots} older snapshots deleted")]
    public static partial void DeletedBeforeSnapshot(ILogger logger, long offset, int epoch, int segments, int snapshots);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Information,
        Message = "Metadata log emptied to start over from snapshot {Offset} (epoch {Epoch}); it ended at {OldEndOffset}; {Snapshots} older snapshots deleted")]
    public static partial void TruncatedToSnapshot(ILogger logger, long offset, int epoch, long oldEndOffset, int snapshots);
}
