namespace Rill.Server.Observability;

/// <summary>
/// One time series of an instrument: its tag names and values, and the Prometheus label text rendered once
/// (<c>api="Produce"</c>, without braces). Looked up by the measurement's tag span through
/// <see cref="SeriesKeyComparer"/>, so recording into an existing series allocates nothing.
/// </summary>
internal sealed class SeriesKey
{
    private readonly string[] _names;
    private readonly object?[] _values;

    public SeriesKey(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        _names = new string[tags.Length];
        _values = new object?[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            _names[i] = tags[i].Key;
            _values[i] = tags[i].Value;
        }

        Hash = HashOf(tags);
        Labels = PrometheusText.Labels(tags);
    }

    public int Hash { get; }

    /// <summary>The label pairs in exposition syntax, without braces; empty when the series has no tags.</summary>
    public string Labels { get; }

    public static int HashOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = default(HashCode);
        foreach (var tag in tags)
        {
            hash.Add(tag.Key, StringComparer.Ordinal);
            hash.Add(tag.Value);
        }

        return hash.ToHashCode();
    }

    public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length != _names.Length)
        {
            return false;
        }

        for (var i = 0; i < tags.Length; i++)
        {
            if (!string.Equals(tags[i].Key, _names[i], StringComparison.Ordinal) || !Equals(tags[i].Value, _values[i]))
            {
                return false;
            }
        }

        return true;
    }

    public bool Matches(SeriesKey other)
    {
        if (other._names.Length != _names.Length)
        {
            return false;
        }

        for (var i = 0; i < _names.Length; i++)
        {
            if (!string.Equals(other._names[i], _names[i], StringComparison.Ordinal) || !Equals(other._values[i], _values[i]))
            {
                return false;
            }
        }

        return true;
    }
}
