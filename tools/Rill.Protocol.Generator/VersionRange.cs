using System.Globalization;

namespace Rill.Protocol.Generator;

/// <summary>A schema version range: "3+", "1-5", "2" or "none". Open ranges end at short.MaxValue.</summary>
internal readonly record struct VersionRange(short Lowest, short Highest)
{
    public const short Open = short.MaxValue;

    public static readonly VersionRange None = new(1, 0);

    public static readonly VersionRange All = new(0, Open);

    public bool IsEmpty => Lowest > Highest;

    public static VersionRange Parse(string? text)
    {
        if (text is null)
        {
            return None;
        }

        var spec = text.Trim();
        if (spec.Length == 0 || spec == "none")
        {
            return None;
        }

        if (spec.EndsWith('+'))
        {
            return new VersionRange(ParseVersion(spec[..^1], text), Open);
        }

        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            return new VersionRange(ParseVersion(spec[..dash], text), ParseVersion(spec[(dash + 1)..], text));
        }

        var single = ParseVersion(spec, text);
        return new VersionRange(single, single);
    }

    public bool Contains(short version) => version >= Lowest && version <= Highest;

    public bool Contains(VersionRange other) => other.IsEmpty || (!IsEmpty && Lowest <= other.Lowest && other.Highest <= Highest);

    public VersionRange Intersect(VersionRange other)
    {
        var result = new VersionRange(Math.Max(Lowest, other.Lowest), Math.Min(Highest, other.Highest));
        return result.IsEmpty ? None : result;
    }

    /// <summary>The smallest range holding both (the hull; ranges in schemas are contiguous).</summary>
    public VersionRange Hull(VersionRange other)
    {
        if (IsEmpty)
        {
            return other;
        }

        return other.IsEmpty ? this : new VersionRange(Math.Min(Lowest, other.Lowest), Math.Max(Highest, other.Highest));
    }

    public override string ToString()
    {
        if (IsEmpty)
        {
            return "none";
        }

        if (Highest == Open)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Lowest}+");
        }

        return Lowest == Highest
            ? Lowest.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{Lowest}-{Highest}");
    }

    private static short ParseVersion(string value, string whole)
    {
        if (!short.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            throw new GeneratorException($"Bad version range '{whole}'.");
        }

        return version;
    }
}
