namespace Rill.Config;

/// <summary>Whether a key is set on the broker (server.properties) or per topic.</summary>
public enum ConfigScope
{
    Broker,
    Topic,
}
