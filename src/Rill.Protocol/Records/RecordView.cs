namespace Rill.Protocol.Records;

/// <summary>One record as <see cref="RecordReader"/> yields it; the spans point into the batch or its decompressed copy.</summary>
public readonly ref struct RecordView
{
    private readonly ReadOnlySpan<byte> _headers;

    internal RecordView(long offset, long timestamp, ReadOnlySpan<byte> key, bool isKeyNull, ReadOnlySpan<byte> value,
        bool isValueNull, int headerCount, ReadOnlySpan<byte> headers)
    {
        Offset = offset;
        Timestamp = timestamp;
        Key = key;
        IsKeyNull = isKeyNull;
        Value = value;
        IsValueNull = isValueNull;
        HeaderCount = headerCount;
        _headers = headers;
    }

    public long Offset { get; }

    /// <summary>The record's timestamp; for a LogAppendTime batch, the batch's maxTimestamp, as Kafka's readers report it.</summary>
    public long Timestamp { get; }

    public ReadOnlySpan<byte> Key { get; }

    public bool IsKeyNull { get; }

    public ReadOnlySpan<byte> Value { get; }

    public bool IsValueNull { get; }

    public int HeaderCount { get; }

    public RecordHeaderEnumerator Headers => new(_headers, HeaderCount);

    /// <summary>The encoded headers as stored (after the header count), for copying a record unchanged.</summary>
    internal ReadOnlySpan<byte> RawHeaders => _headers;
}
