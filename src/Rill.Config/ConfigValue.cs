namespace Rill.Config;

/// <summary>
/// The value of one broker key and where it came from. <see cref="Location"/> names the input for
/// messages: "default", "server.properties line 12", "environment RILL_LOG_DIRS", "--override".
/// </summary>
public sealed record ConfigValue(ConfigDefinition Definition, object? Value, ConfigOrigin Origin, string Location)
{
    public string Name => Definition.Name;

    public bool IsDefault => Origin == ConfigOrigin.Default;

    /// <summary>The value as text; secrets are shown as [hidden].</summary>
    public string? DisplayText => Definition.IsSensitive && Value is not null ? ConfigPrinter.Hidden : Definition.Format(Value);
}
