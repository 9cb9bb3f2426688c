using Rill.Common;
using Rill.Metadata;

namespace Rill.Server.Handlers;

/// <summary>
/// What the broker answers itself in AlterConfigs / IncrementalAlterConfigs before the rest goes to the controller:
/// resource types the controller does not alter, and BROKER names other than the cluster default and this broker.
/// </summary>
public static class ConfigResources
{
    /// <summary>The local answer for a resource, or null when it goes to the controller.</summary>
    public static (ErrorCode Error, string? Message)? Preprocess(Config.ServerConfig config, sbyte resourceType, string resourceName) =>
        (ConfigResourceType)resourceType switch
        {
            ConfigResourceType.Topic => null,
            ConfigResourceType.Broker => BrokerConfigChanges.CheckName(config, resourceName) is var (error, message) && error != ErrorCode.None
                ? (error, message)
                : null,
            ConfigResourceType.BrokerLogger => (ErrorCode.InvalidRequest, BrokerLoggerConfigs.LegacyAlterNotSupported),
            _ => (ErrorCode.InvalidRequest, $"Resource type {resourceType} has no configs this broker can alter."),
        };
}
