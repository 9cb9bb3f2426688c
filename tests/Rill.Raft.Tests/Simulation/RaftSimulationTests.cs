using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Rill.Raft.Tests.Simulation;

/// <summary>
/// The deterministic simulation of the metadata quorum (R7). 500 seeds by default; <c>RILL_SIM_SEEDS=10000</c> for the
/// nightly run; <c>RILL_SIM_SEED=n</c> replays seed n alone, exactly (a failure names its seed and this command).
/// </summary>
public sealed class RaftSimulationTests(ITestOutputHelper output)
{
    private const int DefaultSeeds = 500;

    [Fact]
    public void Simulation_Seeds_HoldEveryInvariant()
    {
        var seeds = Seeds();
        var failures = new ConcurrentBag<(int Seed, string Message)>();
        var results = new ConcurrentBag<SimulationResult>();
        var stopwatch = Stopwatch.StartNew();
        Parallel.ForEach(seeds, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, seed =>
        {
            try
            {
                results.Add(RaftSimulation.Run(seed, new SimulationOptions()));
            }
            catch (SimulationFailure failure)
            {
                failures.Add((seed, failure.Message));
            }
        });

        output.WriteLine(
            $"{seeds.Count} seeds in {stopwatch.Elapsed.TotalSeconds:F1} s: {results.Sum(static r => r.Events)} events, " +
            $"{results.Sum(static r => r.Messages)} messages, {results.Sum(static r => r.LeadersElected)} leaders, " +
            $"{results.Sum(static r => r.SimulatedMs) / 1000} simulated seconds, {results.Sum(static r => r.Faults)} faults, " +
            $"{results.Sum(static r => r.Truncations)} divergence truncations, {results.Sum(static r => r.SnapshotInstalls)} snapshot downloads, " +
            $"{results.Sum(static r => r.CommittedRecords)} committed records, {failures.Count} failed");
        var first = failures.OrderBy(static f => f.Seed).Take(3).ToList();
        Assert.True(first.Count == 0,
            $"{failures.Count} of {seeds.Count} seeds failed (seeds {string.Join(", ", failures.Select(static f => f.Seed).Order().Take(20))}):{Environment.NewLine}" +
            string.Join(Environment.NewLine + Environment.NewLine, first.Select(static f => f.Message)));
    }

    /// <summary>
    /// The checks must catch a broken rule, or they prove nothing: each broken variant (planted in the test doubles,
    /// never in the client) must fail some seed, on the invariant that guards it.
    /// </summary>
    [Theory]
    [InlineData(nameof(SimulationOptions.DoubleVoter), "SingleLeaderPerEpoch")]
    [InlineData(nameof(SimulationOptions.ForgetfulVotes), "OneVotePerEpoch")]
    [InlineData(nameof(SimulationOptions.BrokenFlush), "MajorityHasHighWatermark")]
    public void Simulation_BrokenRule_IsCaught(string brokenRule, string invariant)
    {
        var options = brokenRule switch
        {
            nameof(SimulationOptions.DoubleVoter) => new SimulationOptions { DoubleVoter = true },
            nameof(SimulationOptions.ForgetfulVotes) => new SimulationOptions { ForgetfulVotes = true },
            _ => new SimulationOptions { BrokenFlush = true },
        };

        for (var seed = 1; seed <= 300; seed++)
        {
            try
            {
                RaftSimulation.Run(seed, options);
            }
            catch (SimulationFailure failure)
            {
                output.WriteLine($"{brokenRule}: seed {seed} broke {failure.Invariant}");
                Assert.Equal(invariant, failure.Invariant);
                return;
            }
        }

        Assert.Fail($"no seed out of 300 caught {brokenRule}");
    }

    private static List<int> Seeds()
    {
        if (Environment.GetEnvironmentVariable("RILL_SIM_SEED") is { Length: > 0 } single)
        {
            return [int.Parse(single, CultureInfo.InvariantCulture)];
        }

        var count = Environment.GetEnvironmentVariable("RILL_SIM_SEEDS") is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : DefaultSeeds;
        return [.. Enumerable.Range(1, count)];
    }
}
