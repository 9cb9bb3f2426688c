namespace Rill.Cli.Perf;

/// <summary>
/// Running totals of one perf run, added to from several threads (delivery reports, reader loops) and read by the
/// progress display; the first error is kept for the report.
/// </summary>
internal sealed class PerfCounters
{
    private long _records;
    private long _bytes;
    private long _failed;
    private string? _firstError;

    public long Records => Interlocked.Read(ref _records);

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The first error reported, or null.</summary>
    public string? FirstError => Volatile.Read(ref _firstError);

    public void Add(long records, long bytes)
    {
        Interlocked.Add(ref _records, records);
        Interlocked.Add(ref _bytes, bytes);
    }

    /// <summary>Counts <paramref name="records"/> that failed and keeps <paramref name="error"/> if it is the first.</summary>
    public void AddFailed(long records, string error)
    {
        Interlocked.Add(ref _failed, records);
        Interlocked.CompareExchange(ref _firstError, error, null);
    }

    /// <summary>Keeps <paramref name="error"/> if it is the first, without counting records.</summary>
    public void SetError(string error) => Interlocked.CompareExchange(ref _firstError, error, null);
}
