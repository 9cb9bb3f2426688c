namespace Rill.Storage;

/// <summary>What <see cref="LogManager.LoadLogs"/> opened, with totals for the startup log line.</summary>
/// <param name="Logs">One entry per partition directory opened.</param>
/// <param name="Findings">Problems with a data directory's own files (checkpoints), not a partition's.</param>
/// <param name="Duration">Time spent, from the injected clock.</param>
public sealed record LoadLogsResult(IReadOnlyList<LogLoadInfo> Logs, IReadOnlyList<RecoveryFinding> Findings, TimeSpan Duration)
{
    public int SegmentsScanned => Logs.Sum(l => l.SegmentsScanned);

    public long BytesTruncated => Logs.Sum(l => l.BytesTruncated);
}
