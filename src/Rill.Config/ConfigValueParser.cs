using System.Globalization;

namespace Rill.Config;

/// <summary>Text to typed value and back, with Kafka's rules: values are trimmed, lists split on commas.</summary>
internal static class ConfigValueParser
{
    public static bool TryParse(ConfigType type, string text, out object value, out string? reason)
    {
        var trimmed = text.Trim();
        reason = null;
        switch (type)
        {
            case ConfigType.Boolean:
                if (bool.TryParse(trimmed, out var flag))
                {
                    value = flag;
                    return true;
                }

                reason = "must be true or false";
                break;
            case ConfigType.Int:
                if (int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var int32))
                {
                    value = int32;
                    return true;
                }

                reason = "must be a whole number between -2147483648 and 2147483647";
                break;
            case ConfigType.Short:
                if (short.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var int16))
                {
                    value = int16;
                    return true;
                }

                reason = "must be a whole number between -32768 and 32767";
                break;
            case ConfigType.Long:
                if (long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var int64))
                {
                    value = int64;
                    return true;
                }

                reason = "must be a whole number between -9223372036854775808 and 9223372036854775807";
                break;
            case ConfigType.Double:
                if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
                {
                    value = real;
                    return true;
                }

                reason = "must be a number";
                break;
            case ConfigType.List:
                return TryParseList(trimmed, out value, out reason);
            default:
                value = trimmed;
                return true;
        }

        value = trimmed;
        return false;
    }

    public static string? Format(object? value) => value switch
    {
        null => null,
        bool flag => flag ? "true" : "false",
        double real => real.ToString("R", CultureInfo.InvariantCulture),
        IReadOnlyList<string> items => string.Join(',', items),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static bool TryParseList(string trimmed, out object value, out string? reason)
    {
        reason = null;
        if (trimmed.Length == 0)
        {
            value = Array.Empty<string>();
            return true;
        }

        var items = trimmed.Split(',', StringSplitOptions.TrimEntries);
        value = items;
        if (Array.IndexOf(items, string.Empty) >= 0)
        {
            reason = "has an empty item between commas";
            return false;
        }

        return true;
    }
}
