using System.Globalization;
using Rill.Common;
using Rill.Config;
using Rill.Server.Observability;

namespace Rill.Server.Handlers;

/// <summary>
/// The BROKER_LOGGER resource: DescribeConfigs lists every logger with the level it logs at, and
/// IncrementalAlterConfigs SETs a logger's level or DELETEs it (back to inheriting), live and not persisted, with
/// the checks and messages of Kafka's ConfigAdminManager. The resource name is this broker's id.
/// </summary>
public static class BrokerLoggerConfigs
{
    private const sbyte Set = 0;
    private const sbyte Delete = 1;

    private static readonly string ValidLevels = string.Join(", ", LogLevels.LevelNames);

    /// <summary>What the legacy AlterConfigs answers for BROKER_LOGGER, as Kafka does.</summary>
    public const string LegacyAlterNotSupported = "AlterConfigs does not support BROKER_LOGGER resources; use IncrementalAlterConfigs.";

    /// <summary>What every BROKER_LOGGER request answers when the node runs without changeable levels (an embedded node).</summary>
    public const string NotAvailable = "This broker was started without changeable log levels, so BROKER_LOGGER is not available.";

    /// <summary>Every logger and its level, or an error for a name that is not this broker's id.</summary>
    public static (ErrorCode Error, string? Message, IReadOnlyList<ConfigEntry>? Entries) Describe(LogLevels? levels, int nodeId, string resourceName)
    {
        var (error, message) = Check(levels, nodeId, resourceName);
        if (error != ErrorCode.None)
        {
            return (error, message, null);
        }

        var entries = levels!.Loggers()
            .Select(logger => new ConfigEntry(
                logger.Key,
                LogLevels.NameOf(logger.Value),
                ConfigSource.DynamicBrokerLoggerConfig,
                IsDefault: false,
                ReadOnly: false,
                IsSensitive: false,
                ConfigType.String,
                $"The level the {logger.Key} logger logs at: one of {ValidLevels}.",
                []))
            .ToList();
        return (ErrorCode.None, null, entries);
    }

    /// <summary>Checks every operation first, then applies them all unless <paramref name="validateOnly"/>.</summary>
    public static (ErrorCode Error, string? Message) Alter(
        LogLevels? levels,
        int nodeId,
        string resourceName,
        bool validateOnly,
        IEnumerable<(string Name, sbyte Operation, string? Value)> operations)
    {
        var (error, message) = Check(levels, nodeId, resourceName);
        if (error != ErrorCode.None)
        {
            return (error, message);
        }

        var changes = new List<(string Logger, Microsoft.Extensions.Logging.LogLevel? Level)>();
        foreach (var (name, operation, value) in operations)
        {
            switch (operation)
            {
                case Set:
                    if (!levels!.Exists(name))
                    {
                        return (ErrorCode.InvalidConfig, $"Logger {name} does not exist!");
                    }

                    if (!LogLevels.TryParse(value, out var level))
                    {
                        return (ErrorCode.InvalidConfig,
                            $"Cannot set the log level of {name} to {value} as it is not a supported log level. Valid log levels are {ValidLevels}");
                    }

                    changes.Add((name, level));
                    break;
                case Delete:
                    if (name == LogLevels.RootLogger)
                    {
                        return (ErrorCode.InvalidRequest, $"Removing the log level of the {LogLevels.RootLogger} logger is not allowed");
                    }

                    if (!levels!.Exists(name))
                    {
                        return (ErrorCode.InvalidConfig, $"Logger {name} does not exist!");
                    }

                    changes.Add((name, null));
                    break;
                default:
                    return (ErrorCode.InvalidRequest, $"{OperationName(operation)} operation is not allowed for the BROKER_LOGGER resource");
            }
        }

        if (!validateOnly)
        {
            foreach (var (logger, level) in changes)
            {
                if (level is { } newLevel)
                {
                    levels!.Set(logger, newLevel);
                }
                else
                {
                    levels!.Reset(logger);
                }
            }
        }

        return (ErrorCode.None, null);
    }

    private static (ErrorCode Error, string? Message) Check(LogLevels? levels, int nodeId, string resourceName)
    {
        if (levels is null)
        {
            return (ErrorCode.InvalidRequest, NotAvailable);
        }

        if (!int.TryParse(resourceName, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
        {
            return (ErrorCode.InvalidRequest, $"Broker id must be an integer, but it is: {resourceName}");
        }

        return id == nodeId
            ? (ErrorCode.None, null)
            : (ErrorCode.InvalidRequest, $"Unexpected broker id, expected {nodeId}, but received {resourceName}");
    }

    private static string OperationName(sbyte operation) => operation switch
    {
        2 => "APPEND",
        3 => "SUBTRACT",
        _ => $"Operation {operation}",
    };
}
