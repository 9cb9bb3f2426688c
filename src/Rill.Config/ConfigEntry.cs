namespace Rill.Config;

/// <summary>
/// One row of a DescribeConfigs answer. A sensitive entry has a null <see cref="Value"/>.
/// <see cref="Synonyms"/> list the inputs in precedence order, the winning one first.
/// </summary>
public sealed record ConfigEntry(
    string Name,
    string? Value,
    ConfigSource Source,
    bool IsDefault,
    bool ReadOnly,
    bool IsSensitive,
    ConfigType Type,
    string Documentation,
    IReadOnlyList<ConfigSynonymEntry> Synonyms);
