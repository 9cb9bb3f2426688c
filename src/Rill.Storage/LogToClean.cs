namespace Rill.Storage;

/// <summary>
/// What the log cleaner may do to one log now (Kafka's <c>LogToClean</c>): segments [0, <see cref="FirstUncleanableIndex"/>)
/// of the <see cref="Segments"/> snapshot are cleanable; those ending after <see cref="FirstDirtyOffset"/> are dirty.
/// </summary>
/// <param name="Log">The log.</param>
/// <param name="Segments">The segment list when planned.</param>
/// <param name="FirstDirtyOffset">Where the cleaner's offset map starts: the cleaner checkpoint, or the log start offset.</param>
/// <param name="FirstUncleanableIndex">The first segment not to clean: the active one, one reaching the high watermark, or one with a record younger than <c>min.compaction.lag.ms</c>.</param>
/// <param name="CleanBytes">Bytes of cleanable segments entirely below <see cref="FirstDirtyOffset"/>.</param>
/// <param name="DirtyBytes">Bytes of the other cleanable segments.</param>
/// <param name="NeedCompactionNow">A dirty segment's first batch is older than <c>max.compaction.lag.ms</c>.</param>
/// <param name="Truncations">The log's <see cref="Log.Truncations"/> when planned: after another truncation, what the pass read may be gone.</param>
internal sealed record LogToClean(
    Log Log,
    LogSegment[] Segments,
    long FirstDirtyOffset,
    int FirstUncleanableIndex,
    long CleanBytes,
    long DirtyBytes,
    bool NeedCompactionNow,
    int Truncations)
{
    public long FirstUncleanableOffset => Segments[FirstUncleanableIndex].BaseOffset;

    /// <summary>Dirty bytes over cleanable bytes, compared with <c>min.cleanable.dirty.ratio</c>.</summary>
    public double DirtyRatio => DirtyBytes + CleanBytes == 0 ? 0 : (double)DirtyBytes / (DirtyBytes + CleanBytes);

    /// <summary>Kafka's rule: some dirty bytes, and a dirty ratio above the minimum or a compaction overdue.</summary>
    public bool IsDue(LogConfig config) => DirtyBytes > 0 && (NeedCompactionNow || DirtyRatio > config.MinCleanableDirtyRatio);
}
