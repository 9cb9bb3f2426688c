using System.Buffers;
using Rill.Common;

namespace Rill.Protocol.Records;

/// <summary>
/// Records of a compressed batch, read through a fixed pooled window as the codec produces them, so a
/// batch never has to be inflated whole. Any exception from the codec is caught and reported as a
/// failure, since the input is untrusted and the validator must not throw.
/// </summary>
internal sealed class StreamRecordSource : IRecordSource, IDisposable
{
    private const int WindowSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly long _maxBytes;
    private byte[]? _window = ArrayPool<byte>.Shared.Rent(WindowSize);
    private int _start;
    private int _end;
    private long _position;
    private long _totalRead;
    private bool _endOfStream;

    public StreamRecordSource(Stream stream, long maxBytes)
    {
        _stream = stream;
        _maxBytes = maxBytes;
    }

    public long Position => _position;

    public ErrorCode FailureCode { get; private set; }

    public string? FailureMessage { get; private set; }

    public bool TryReadByte(out byte value)
    {
        if (!Ensure(1))
        {
            value = 0;
            return false;
        }

        value = Window[_start++];
        _position++;
        return true;
    }

    public bool TryReadVarInt(out int value)
    {
        Ensure(VarInt.MaxVarIntLength);
        if (!VarInt.TryReadSigned(Window.AsSpan(_start, _end - _start), out value, out var length))
        {
            return false;
        }

        _start += length;
        _position += length;
        return true;
    }

    public bool TryReadVarLong(out long value)
    {
        Ensure(VarInt.MaxVarLongLength);
        if (!VarInt.TryReadSignedLong(Window.AsSpan(_start, _end - _start), out value, out var length))
        {
            return false;
        }

        _start += length;
        _position += length;
        return true;
    }

    public bool TrySkip(int count)
    {
        while (count > 0)
        {
            if (_start == _end && !Fill())
            {
                return false;
            }

            var step = Math.Min(count, _end - _start);
            _start += step;
            _position += step;
            count -= step;
        }

        return true;
    }

    public bool IsAtEnd() => _start == _end && !Fill() && FailureCode == ErrorCode.None;

    public void Dispose()
    {
        _stream.Dispose();
        if (_window is not null)
        {
            ArrayPool<byte>.Shared.Return(_window);
            _window = null;
        }
    }

    private byte[] Window => _window ?? throw new ObjectDisposedException(nameof(StreamRecordSource));

    /// <summary>Makes at least <paramref name="count"/> bytes available unless the stream ends or fails first.</summary>
    private bool Ensure(int count)
    {
        while (_end - _start < count)
        {
            if (!Fill())
            {
                return false;
            }
        }

        return true;
    }

    private bool Fill()
    {
        if (_endOfStream || FailureCode != ErrorCode.None)
        {
            return false;
        }

        var window = Window;
        if (_start > 0)
        {
            window.AsSpan(_start, _end - _start).CopyTo(window);
            _end -= _start;
            _start = 0;
        }

        int read;
        try
        {
            read = _stream.Read(window, _end, window.Length - _end);
        }
        catch (DecompressionLimitException e)
        {
            return Fail(ErrorCode.MessageTooLarge, e.Message);
        }
        catch (Exception e)
        {
            return Fail(ErrorCode.InvalidRecord, $"compressed records do not decode: {e.Message}");
        }

        if (read == 0)
        {
            _endOfStream = true;
            return false;
        }

        _totalRead += read;
        if (_totalRead > _maxBytes)
        {
            return Fail(ErrorCode.MessageTooLarge, $"compressed records inflate past the limit of {_maxBytes} bytes");
        }

        _end += read;
        return true;
    }

    private bool Fail(ErrorCode code, string message)
    {
        FailureCode = code;
        FailureMessage = message;
        return false;
    }
}
