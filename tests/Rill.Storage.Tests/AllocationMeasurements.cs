namespace Rill.Storage.Tests;

/// <summary>
/// Tests that count the bytes one call allocates (GC.GetAllocatedBytesForCurrentThread) run here, alone: run beside
/// the rest of the suite they now and then counted more than the call allocates (about 1 full run in 8; never in
/// 16 runs alone), so they run apart from it and measure only the code under test.
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class AllocationMeasurements
{
    /// <summary>
    /// The fewest bytes this thread allocated over <paramref name="runs"/> calls of <paramref name="call"/>. A call that
    /// allocates per record allocates in every run; what the runtime allocates once on the way (a tier-up, a stub) does
    /// not, and once counted 5,720 bytes in CI against a call that allocates 56.
    /// </summary>
    public static long LeastAllocated(Action call, int runs = 5)
    {
        var least = long.MaxValue;
        for (var run = 0; run < runs; run++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            call();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
