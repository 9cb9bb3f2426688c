namespace Rill.Server.Observability;

/// <summary>
/// Compares series keys with each other and with a measurement's tag span, so a dictionary of series is
/// searched with the span itself (an alternate lookup) and a key is built only for a new series.
/// </summary>
internal sealed class SeriesKeyComparer :
    IEqualityComparer<SeriesKey>,
    IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, SeriesKey>
{
    public static readonly SeriesKeyComparer Instance = new();

    private SeriesKeyComparer()
    {
    }

    public bool Equals(SeriesKey? x, SeriesKey? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.Hash == y.Hash && x.Matches(y));

    public int GetHashCode(SeriesKey obj) => obj.Hash;

    public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, SeriesKey other) => other.Matches(alternate);

    public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => SeriesKey.HashOf(alternate);

    public SeriesKey Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => new(alternate);
}
