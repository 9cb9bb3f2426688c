using System.Globalization;

namespace Rill.Examples;

/// <summary>
/// The examples' few <c>--name value</c> options. Hand-written because a parser library would be more code than
/// the Kafka part these programs are here to show.
/// </summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string?> _values;

    private Arguments(Dictionary<string, string?> values) => _values = values;

    /// <summary>
    /// Parses <paramref name="args"/> against the known options and their defaults (null: not set unless given).
    /// Throws <see cref="ArgumentException"/> for an unknown option or a missing value.
    /// </summary>
    public static Arguments Parse(string[] args, IReadOnlyDictionary<string, string?> defaults)
    {
        var values = new Dictionary<string, string?>(defaults, StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!defaults.ContainsKey(args[i]))
            {
                throw new ArgumentException($"unknown option '{args[i]}'");
            }

            if (i + 1 == args.Length)
            {
                throw new ArgumentException($"{args[i]} needs a value");
            }

            values[args[i]] = args[i + 1];
        }

        return new Arguments(values);
    }

    public string Text(string name) => _values[name] ?? throw new ArgumentException($"{name} is required");

    public int? Number(string name) =>
        _values[name] is not { } text ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0 ? number
        : throw new ArgumentException($"{name} must be a positive whole number, got '{text}'");
}
