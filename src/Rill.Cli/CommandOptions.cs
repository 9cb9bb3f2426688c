using System.CommandLine;
using System.CommandLine.Parsing;

namespace Rill.Cli;

/// <summary>Option shapes several commands share, parsed and validated by the parser (a bad value is a usage error, exit 2).</summary>
internal static class CommandOptions
{
    /// <summary>Parses one token; false with an error message when it is malformed.</summary>
    public delegate bool TryParse<T>(string token, out T value, out string error);

    /// <summary>A repeatable <c>key=value</c> option, parsed into pairs in the order given.</summary>
    public static Option<KeyValuePair<string, string>[]> KeyValues(string name, string description, params string[] aliases) =>
        new(name, aliases)
        {
            Description = description,
            HelpName = "key=value",
            AllowMultipleArgumentsPerToken = false,
            CustomParser = result =>
            {
                var pairs = new List<KeyValuePair<string, string>>();
                foreach (var token in result.Tokens)
                {
                    if (ValueParsers.TryParseKeyValue(token.Value, out var key, out var value))
                    {
                        pairs.Add(new KeyValuePair<string, string>(key, value));
                    }
                    else
                    {
                        result.AddError($"{name}: expected key=value, got '{token.Value}'");
                    }
                }

                return [.. pairs];
            },
        };

    /// <summary>A single-valued option whose text is parsed by <paramref name="parse"/>; null when absent.</summary>
    public static Option<T?> Parsed<T>(string name, string description, string helpName, TryParse<T> parse, params string[] aliases)
        where T : struct =>
        new(name, aliases)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = result => ParseToken(result, parse),
        };

    /// <summary>An integer option that must be at least <paramref name="minimum"/>.</summary>
    public static Option<int?> AtLeast(string name, int minimum, string description, params string[] aliases)
    {
        var option = new Option<int?>(name, aliases) { Description = description, HelpName = "N" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is { } value && value < minimum)
            {
                result.AddError($"{name} must be at least {minimum}, got {value}");
            }
        });
        return option;
    }

    /// <summary>Usage errors for options that exclude each other.</summary>
    public static void MutuallyExclusive(Command command, params Option[] options)
    {
        command.Validators.Add(result =>
        {
            var given = options.Where(o => result.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
            if (given.Count > 1)
            {
                result.AddError($"{string.Join(" and ", given)} cannot be used together");
            }
        });
    }

    /// <summary>A timestamp option: milliseconds since the epoch or ISO 8601.</summary>
    public static Option<long?> Timestamp(string name, string description) =>
        Parsed<long>(name, description, "time", (string token, out long value, out string error) =>
        {
            error = $"{name}: '{token}' is neither milliseconds since the epoch nor an ISO 8601 time";
            return ValueParsers.TryParseTimestamp(token, out value);
        });

    /// <summary>A duration option: 10s, 500ms, 2m, 1h, 7d, seconds, or ISO 8601 (PT10M).</summary>
    public static Option<TimeSpan?> Duration(string name, string description) =>
        Parsed<TimeSpan>(name, description, "duration", (string token, out TimeSpan value, out string error) =>
        {
            error = $"{name}: '{token}' is not a duration (10s, 500ms, 2m, PT10M)";
            return ValueParsers.TryParseDuration(token, out value);
        });

    private static T? ParseToken<T>(ArgumentResult result, TryParse<T> parse)
        where T : struct
    {
        var token = result.Tokens[^1].Value;
        if (parse(token, out var value, out var error))
        {
            return value;
        }

        result.AddError(error);
        return null;
    }
}
