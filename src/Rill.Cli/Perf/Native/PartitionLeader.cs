namespace Rill.Cli.Perf.Native;

/// <summary>A partition and the broker that leads it, from Metadata.</summary>
internal readonly record struct PartitionLeader(int Partition, int LeaderId, int LeaderEpoch);
