namespace Rill.Config;

/// <summary>One synonym of a DescribeConfigs entry (v1+): a key that supplies or could supply the value.</summary>
public sealed record ConfigSynonymEntry(string Name, string? Value, ConfigSource Source);
