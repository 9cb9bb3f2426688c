using Rill.Config;

namespace Rill.Server.Tests.Configuration;

/// <summary>Shorthands for loading without a file or environment.</summary>
internal static class ConfigLoad
{
    public static readonly IReadOnlyDictionary<string, string> NoEnvironment = new Dictionary<string, string>();

    public static ServerConfig WithOverrides(params string[] overrides) => ServerConfig.Load(null, NoEnvironment, overrides);

    public static ConfigException FailsWith(params string[] overrides) =>
        Assert.Throws<ConfigException>(() => ServerConfig.Load(null, NoEnvironment, overrides));
}
