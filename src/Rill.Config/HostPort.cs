namespace Rill.Config;

/// <summary>A host and port; an empty host means every interface. IPv6 hosts are kept without brackets.</summary>
public sealed record HostPort(string Host, int Port)
{
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
