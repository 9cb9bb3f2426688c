using System.Globalization;

namespace Rill.Protocol;

/// <summary>
/// The schema facts of a generated property: in which versions it exists, may be null, is tagged.
/// Generated code does not read it; it documents each property and lets tools and tests reason
/// about versions by reflection.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false, Inherited = false)]
public sealed class KafkaFieldAttribute : Attribute
{
    public KafkaFieldAttribute(string versions)
    {
        Versions = versions;
    }

    /// <summary>Versions the field exists in: "3+", "1-5", "2" or "none".</summary>
    public string Versions { get; }

    public string? NullableVersions { get; set; }

    public string? TaggedVersions { get; set; }

    /// <summary>The tag in tagged versions; -1 when the field is never tagged.</summary>
    public int Tag { get; set; } = -1;

    /// <summary>A per-field override of the message's flexible versions (RequestHeader.ClientId: "none").</summary>
    public string? FlexibleVersions { get; set; }

    public bool IsPresentIn(short version) => InRange(Versions, version);

    public bool IsNullableIn(short version) => InRange(NullableVersions, version);

    public bool IsTaggedIn(short version) => InRange(TaggedVersions, version);

    /// <summary>True when <paramref name="version"/> is inside a schema range such as "3+", "1-5" or "2".</summary>
    public static bool InRange(string? range, short version)
    {
        if (string.IsNullOrEmpty(range) || range == "none")
        {
            return false;
        }

        if (range.EndsWith('+'))
        {
            return version >= short.Parse(range.AsSpan(0, range.Length - 1), CultureInfo.InvariantCulture);
        }

        var dash = range.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0)
        {
            return version >= short.Parse(range.AsSpan(0, dash), CultureInfo.InvariantCulture)
                && version <= short.Parse(range.AsSpan(dash + 1), CultureInfo.InvariantCulture);
        }

        return version == short.Parse(range, CultureInfo.InvariantCulture);
    }
}
