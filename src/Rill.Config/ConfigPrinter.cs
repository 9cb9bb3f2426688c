using System.Text;

namespace Rill.Config;

/// <summary>
/// The start-up print of the effective configuration: values that differ from the default first, with
/// where they came from, then the defaults; secrets masked (kurrentdb: ClusterVNodeOptionsPrinter).
/// </summary>
public static class ConfigPrinter
{
    /// <summary>What a secret is shown as.</summary>
    public const string Hidden = "[hidden]";

    public static string Render(ServerConfig config, bool includeDefaults)
    {
        var width = config.Values.Max(value => value.Name.Length);
        var text = new StringBuilder();
        text.Append("Configuration").Append(config.PropertiesPath is null ? " (no properties file)" : $" from {config.PropertiesPath}").Append(':');
        text.Append('\n').Append("  MODIFIED:");
        var modified = config.Values.Where(value => !value.IsDefault).OrderBy(value => value.Name, StringComparer.Ordinal).ToList();
        if (modified.Count == 0)
        {
            text.Append(" none");
        }

        foreach (var value in modified)
        {
            text.Append('\n').Append("    ").Append(value.Name.PadRight(width)).Append(" = ").Append(value.DisplayText ?? string.Empty)
                .Append("  (").Append(value.Location).Append(')');
        }

        if (!includeDefaults)
        {
            return text.ToString();
        }

        text.Append('\n').Append("  DEFAULTS:");
        foreach (var value in config.Values.Where(value => value.IsDefault).OrderBy(value => value.Name, StringComparer.Ordinal))
        {
            text.Append('\n').Append("    ").Append(value.Name.PadRight(width)).Append(" = ").Append(value.DisplayText ?? "(not set)");
        }

        return text.ToString();
    }
}
