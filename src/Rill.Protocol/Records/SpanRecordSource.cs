using Rill.Common;

namespace Rill.Protocol.Records;

/// <summary>Records of an uncompressed batch, read in place.</summary>
internal ref struct SpanRecordSource(ReadOnlySpan<byte> data) : IRecordSource
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly long Position => _position;

    public readonly ErrorCode FailureCode => ErrorCode.None;

    public readonly string? FailureMessage => null;

    public bool TryReadByte(out byte value)
    {
        if (_position < _data.Length)
        {
            value = _data[_position++];
            return true;
        }

        value = 0;
        return false;
    }

    public bool TryReadVarInt(out int value)
    {
        if (!VarInt.TryReadSigned(_data[_position..], out value, out var length))
        {
            return false;
        }

        _position += length;
        return true;
    }

    public bool TryReadVarLong(out long value)
    {
        if (!VarInt.TryReadSignedLong(_data[_position..], out value, out var length))
        {
            return false;
        }

        _position += length;
        return true;
    }

    public bool TrySkip(int count)
    {
        if (count > _data.Length - _position)
        {
            return false;
        }

        _position += count;
        return true;
    }

    public readonly bool IsAtEnd() => _position == _data.Length;
}
