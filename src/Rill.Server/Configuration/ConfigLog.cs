using Microsoft.Extensions.Logging;

namespace Rill.Server.Configuration;

/// <summary>Log events of the configuration area; ids 3900-3909.</summary>
internal static partial class ConfigLog
{
    [LoggerMessage(EventId = 3900, EventName = "EffectiveConfiguration", Level = LogLevel.Information, Message = "{Configuration}")]
    public static partial void EffectiveConfiguration(ILogger logger, string configuration);

    [LoggerMessage(EventId = 3901, EventName = "IgnoredConfiguration", Level = LogLevel.Warning, Message = "{Warning}")]
    public static partial void IgnoredConfiguration(ILogger logger, string warning);
}
