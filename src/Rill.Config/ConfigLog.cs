using Microsoft.Extensions.Logging;

namespace Rill.Config;

/// <summary>Log events of the configuration area; ids 3900-3909. Public for the server's dynamic-config publisher, which logs changes it sees in the metadata image.</summary>
public static partial class ConfigLog
{
    [LoggerMessage(EventId = 3900, EventName = "EffectiveConfiguration", Level = LogLevel.Information, Message = "{Configuration}")]
    public static partial void EffectiveConfiguration(ILogger logger, string configuration);

    [LoggerMessage(EventId = 3901, EventName = "IgnoredConfiguration", Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void IgnoredConfiguration(ILogger logger, string warning);

    [LoggerMessage(EventId = 3902, EventName = "DynamicConfigSet", Level = LogLevel.Information,
        Message = "Dynamic broker config {Key} set to {Value} ({Layer})")]
    public static partial void DynamicConfigSet(ILogger logger, string key, string? value, string layer);

    [LoggerMessage(EventId = 3903, EventName = "DynamicConfigRemoved", Level = LogLevel.Information,
        Message = "Dynamic broker config {Key} removed ({Layer})")]
    public static partial void DynamicConfigRemoved(ILogger logger, string key, string layer);
}
