namespace Rill.Storage.Tests;

/// <summary>
/// Tests that count the bytes one call allocates (GC.GetAllocatedBytesForCurrentThread) run here, alone: run beside
/// the rest of the suite they now and then counted more than the call allocates (about 1 full run in 8; never in
/// 16 runs alone), so they run apart from it and measure only the code under test.
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class AllocationMeasurements
{
}
