using System.Globalization;
using System.Xml;

namespace Rill.Cli;

/// <summary>The small value grammars of the command line: durations, timestamps, <c>key=value</c> pairs.</summary>
internal static class ValueParsers
{
    /// <summary>
    /// <c>10s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>, <c>7d</c>, a bare number of seconds, or ISO 8601 (<c>PT10M</c>,
    /// as kafka-consumer-groups.sh's <c>--by-duration</c> takes it).
    /// </summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var value = text.Trim();
        if (value.Length == 0)
        {
            return false;
        }

        if (value[0] is 'P' or 'p')
        {
            try
            {
                duration = XmlConvert.ToTimeSpan(value.ToUpperInvariant());
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }

        var (number, unit) = SplitUnit(value);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        double? milliseconds = unit switch
        {
            "ms" => amount,
            "" or "s" => amount * 1_000,
            "m" => amount * 60_000,
            "h" => amount * 3_600_000,
            "d" => amount * 86_400_000,
            _ => null,
        };
        if (milliseconds is not { } ms)
        {
            return false;
        }

        duration = TimeSpan.FromMilliseconds(ms);
        return true;
    }

    /// <summary>Milliseconds since the Unix epoch, or an ISO 8601 date and time (UTC unless it names an offset).</summary>
    public static bool TryParseTimestamp(string text, out long unixMs)
    {
        var value = text.Trim();
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out unixMs))
        {
            return unixMs >= 0;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var time))
        {
            unixMs = time.ToUnixTimeMilliseconds();
            return unixMs >= 0;
        }

        return false;
    }

    /// <summary>Splits <c>key=value</c> at the first '='; the key must not be empty, the value may be.</summary>
    public static bool TryParseKeyValue(string text, out string key, out string value)
    {
        var separator = text.IndexOf('=', StringComparison.Ordinal);
        if (separator <= 0)
        {
            key = string.Empty;
            value = string.Empty;
            return false;
        }

        key = text[..separator].Trim();
        value = text[(separator + 1)..];
        return key.Length > 0;
    }

    /// <summary>"10 s", "500 ms", "2.5 s": how a timeout reads in an error message.</summary>
    public static string Describe(TimeSpan duration) => duration.TotalSeconds >= 1
        ? $"{duration.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s"
        : $"{duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms";

    private static (string Number, string Unit) SplitUnit(string value)
    {
        var end = value.Length;
        while (end > 0 && char.IsAsciiLetter(value[end - 1]))
        {
            end--;
        }

        return (value[..end], value[end..].ToLowerInvariant());
    }
}
