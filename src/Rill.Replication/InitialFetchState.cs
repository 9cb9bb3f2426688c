namespace Rill.Replication;

/// <summary>A partition handed to a replica fetcher: whom to fetch from, in which leader epoch, from which offset.</summary>
internal sealed record InitialFetchState(Partition Partition, LeaderEndpoint Leader, int LeaderEpoch, long FetchOffset);
