namespace Rill.Replication;

/// <summary>Where a follower fetches from: the leader's id and its address on the inter-broker listener.</summary>
public sealed record LeaderEndpoint(int BrokerId, string Host, int Port)
{
    public override string ToString() => $"{BrokerId} ({Host}:{Port})";
}
