using System.Diagnostics;

namespace Rill.Benchmarks.Support;

/// <summary>
/// Runs an operation for a while in [GlobalSetup], so the JIT has moved the whole path to tier 1 before
/// BenchmarkDotNet measures it. Needed where <see cref="WriteBudgetAttribute"/> shortens the iterations: three
/// 50 ms warm-up iterations (<c>--job short</c>) end before tiering does, and a long request path then measures
/// half tier-0 code (seen as iterations twice as slow that suddenly speed up).
/// </summary>
public static class Warmup
{
    public static readonly TimeSpan Default = TimeSpan.FromMilliseconds(500);

    public static void Run(Action operation)
    {
        var elapsed = Stopwatch.StartNew();
        while (elapsed.Elapsed < Default)
        {
            for (var i = 0; i < 64; i++)
            {
                operation();
            }
        }
    }
}
