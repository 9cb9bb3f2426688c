namespace Rill.Config;

/// <summary>
/// One entry of <c>listeners</c> or <c>advertised.listeners</c>: <c>NAME://host:port</c>. The name is
/// upper-cased as Kafka does; an empty host means every interface; IPv6 hosts are kept without brackets.
/// </summary>
public sealed record ListenerEndpoint(string Name, string Host, int Port, SecurityProtocol SecurityProtocol)
{
    public override string ToString() =>
        Host.Contains(':', StringComparison.Ordinal) ? $"{Name}://[{Host}]:{Port}" : $"{Name}://{Host}:{Port}";
}
