namespace Rill.Config;

public sealed partial class ServerConfig
{
    /// <summary>
    /// Loads the configuration: defaults, then <paramref name="propertiesPath"/> (when not null), then
    /// every <c>RILL_*</c> entry of <paramref name="environment"/>, then each <c>key=value</c> of
    /// <paramref name="overrides"/> in order; later inputs win. Throws <see cref="ConfigException"/>
    /// naming the key for an unknown key, a malformed value or a combination Rill cannot serve. A RILL_
    /// variable that names no key is ignored with a warning naming it (see <see cref="Warnings"/>).
    /// </summary>
    public static ServerConfig Load(string? propertiesPath, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> overrides)
    {
        var values = new Dictionary<string, ConfigValue>(StringComparer.Ordinal);
        foreach (var definition in BrokerConfigs.All)
        {
            values.Add(definition.Name, new ConfigValue(definition, definition.DefaultValue, ConfigOrigin.Default, "default"));
        }

        var warnings = new List<string>();
        if (propertiesPath is not null)
        {
            foreach (var entry in JavaProperties.Parse(ReadFile(propertiesPath), propertiesPath))
            {
                Set(values, entry.Key, entry.Value, ConfigOrigin.PropertiesFile, $"{propertiesPath} line {entry.LineNumber}");
            }
        }

        // Sorted so that two bad variables always fail on the same one.
        foreach (var (variable, text) in environment.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!variable.StartsWith(EnvironmentPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var key = variable[EnvironmentPrefix.Length..].Replace('_', '.').ToLowerInvariant();
            if (!BrokerConfigs.TryGet(key, out _))
            {
                // Warned, not fatal: other tools share the RILL_ prefix (the test kit's RILL_TEST_LOGS,
                // CI's RILL_REQUIRE_CLIENT_TOOLS) and a child `rill serve` inherits them.
                warnings.Add($"Environment variable {variable} names no configuration key ('{key}'); it is ignored.");
                continue;
            }

            Set(values, key, text, ConfigOrigin.Environment, $"environment {variable}");
        }

        foreach (var item in overrides)
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ConfigException(null, $"--override '{item}' is not in the form key=value.");
            }

            Set(values, item[..equals].Trim(), item[(equals + 1)..], ConfigOrigin.Override, "--override");
        }

        return new ServerConfig(values, propertiesPath, warnings);
    }

    private static string ReadFile(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(null, $"Cannot read configuration file {path}: {e.Message}");
        }
    }

    private static void Set(Dictionary<string, ConfigValue> values, string key, string text, ConfigOrigin origin, string location)
    {
        if (!BrokerConfigs.TryGet(key, out var definition))
        {
            throw new ConfigException(key, $"Unknown configuration key '{key}' (from {location}).");
        }

        var value = definition.Parse(text, out var reason);
        if (reason is not null)
        {
            var shown = definition.IsSensitive ? ConfigPrinter.Hidden : text.Trim();
            throw new ConfigException(key, $"Invalid value '{shown}' for '{key}' (from {location}): {reason}.");
        }

        values[key] = new ConfigValue(definition, value, origin, location);
    }
}
