using Rill.Common;

namespace Rill.Protocol.Records;

/// <summary>
/// Bytes of records to check, from a span (uncompressed batches) or a decompressing stream. The parser is
/// generic over this, so the span path compiles to direct span reads with no per-record allocation.
/// </summary>
internal interface IRecordSource
{
    /// <summary>Bytes consumed so far.</summary>
    long Position { get; }

    /// <summary>Why the last read failed when it was not simply the end of the bytes.</summary>
    ErrorCode FailureCode { get; }

    string? FailureMessage { get; }

    bool TryReadByte(out byte value);

    bool TryReadVarInt(out int value);

    bool TryReadVarLong(out long value);

    bool TrySkip(int count);

    /// <summary>True when no bytes remain; false when some do or reading failed.</summary>
    bool IsAtEnd();
}
