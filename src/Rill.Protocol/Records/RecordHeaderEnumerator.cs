using Rill.Common;

namespace Rill.Protocol.Records;

/// <summary>
/// Enumerates a record's headers (<c>foreach</c>). The bytes were bounds-checked when the record was read,
/// so a malformed header simply ends the enumeration.
/// </summary>
public ref struct RecordHeaderEnumerator
{
    private ReadOnlySpan<byte> _remaining;
    private int _left;

    internal RecordHeaderEnumerator(ReadOnlySpan<byte> headers, int count)
    {
        _remaining = headers;
        _left = count;
    }

    public RecordHeaderView Current { get; private set; }

    public readonly RecordHeaderEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_left == 0
            || !RecordReader.TryReadBytes(ref _remaining, nullable: false, out var key, out _)
            || !RecordReader.TryReadBytes(ref _remaining, nullable: true, out var value, out var isValueNull))
        {
            _left = 0;
            return false;
        }

        _left--;
        Current = new RecordHeaderView(key, value, isValueNull);
        return true;
    }
}
