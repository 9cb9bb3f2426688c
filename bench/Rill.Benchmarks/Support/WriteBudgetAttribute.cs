using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace Rill.Benchmarks.Support;

/// <summary>
/// For benchmarks that append to a log: 50 ms iterations, at most 8 warm-up and 20 measured ones, whatever job
/// runs them. An append runs at about 1 GB/s into the page cache; with BenchmarkDotNet's 500 ms iterations a
/// single case writes several GB, passes the kernel's dirty-page limits, and every write then waits for the disk
/// (balance_dirty_pages), so the numbers would show the disk, not the append path. Deleting old segments to stay
/// small is no way out: unlinking a segment costs about as much as writing it (see LogRetentionBenchmarks). With
/// this budget a case writes 1-2 GB into a fresh log, removed in [GlobalCleanup], outside the measurements.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class WriteBudgetAttribute : JobMutatorConfigBaseAttribute
{
    public WriteBudgetAttribute()
        : base(Job.Default
            .WithIterationTime(TimeInterval.FromMilliseconds(50))
            .WithMaxWarmupCount(8)
            .WithMaxIterationCount(20))
    {
    }
}
