namespace Rill.Cli.Perf.Native;

/// <summary>
/// Which partitions each connection carries: <c>--connections</c> connections to every leader (fewer when it leads
/// fewer partitions), its partitions dealt out to them in turn.
/// </summary>
internal static class ConnectionPlan
{
    public static List<(int LeaderId, List<PartitionLeader> Partitions)> Make(IReadOnlyList<PartitionLeader> partitions, int connectionsPerLeader)
    {
        var plan = new List<(int LeaderId, List<PartitionLeader> Partitions)>();
        foreach (var leader in partitions.GroupBy(p => p.LeaderId).OrderBy(g => g.Key))
        {
            var led = leader.ToList();
            var connections = Math.Min(connectionsPerLeader, led.Count);
            for (var c = 0; c < connections; c++)
            {
                plan.Add((leader.Key, [.. led.Where((_, i) => i % connections == c)]));
            }
        }

        return plan;
    }

    /// <summary>Splits <paramref name="total"/> in proportion to <paramref name="weights"/>, exactly (the remainder goes to the first ones).</summary>
    public static long[] Split(long total, IReadOnlyList<int> weights)
    {
        var sum = weights.Sum(w => (long)w);
        var shares = new long[weights.Count];
        long given = 0;
        for (var i = 0; i < shares.Length; i++)
        {
            shares[i] = total * weights[i] / sum;
            given += shares[i];
        }

        for (var i = 0; given < total; i = (i + 1) % shares.Length)
        {
            shares[i]++;
            given++;
        }

        return shares;
    }
}
