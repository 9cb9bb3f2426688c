namespace Rill.Config;

/// <summary>
/// A broker key that supplies a topic key's default, with the factor that turns its unit into the
/// topic key's unit (log.retention.hours to retention.ms is 3,600,000).
/// </summary>
public sealed record ConfigSynonym(string Name, long Multiplier)
{
    public const long HoursToMs = 60L * 60 * 1000;
    public const long MinutesToMs = 60L * 1000;

    public static ConfigSynonym Same(string name) => new(name, 1);
}
