namespace Rill.Protocol.Records;

/// <summary>One header of a <see cref="RecordView"/>: the key's UTF-8 bytes and a value that may be null.</summary>
public readonly ref struct RecordHeaderView(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool isValueNull)
{
    public ReadOnlySpan<byte> Key { get; } = key;

    public ReadOnlySpan<byte> Value { get; } = value;

    public bool IsValueNull { get; } = isValueNull;
}
