using System.Buffers;
using System.Buffers.Binary;
using Snappier;

namespace Rill.Protocol.Records;

/// <summary>
/// Decodes snappy-java's stream framing (what the Java client and kafka-python write): a 16-byte header
/// (magic <c>0x82 "SNAPPY" 0</c>, int32 version, int32 compatible version), then blocks, each an int32
/// big-endian length and one raw snappy block. Snappier reads raw snappy and the official "sNaPpY"
/// framing, not this one, hence our own loop. Blocks are decoded one at a time into a pooled buffer.
/// </summary>
internal sealed class XerialSnappyStream : Stream
{
    public const int HeaderSize = 16;

    private static ReadOnlySpan<byte> Magic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    private readonly ReadOnlyMemory<byte> _compressed;
    private readonly long _maxBlockBytes;
    private int _inputPosition = HeaderSize;
    private byte[]? _block;
    private int _blockLength;
    private int _blockPosition;

    public XerialSnappyStream(ReadOnlyMemory<byte> compressed, long maxBlockBytes)
    {
        _compressed = compressed;
        _maxBlockBytes = maxBlockBytes;
    }

    public static bool HasHeader(ReadOnlySpan<byte> compressed) =>
        compressed.Length >= HeaderSize && compressed[..Magic.Length].SequenceEqual(Magic);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_blockPosition == _blockLength)
        {
            if (!TryDecodeNextBlock())
            {
                return 0;
            }
        }

        var count = Math.Min(buffer.Length, _blockLength - _blockPosition);
        _block.AsSpan(_blockPosition, count).CopyTo(buffer);
        _blockPosition += count;
        return count;
    }

    private bool TryDecodeNextBlock()
    {
        var input = _compressed.Span;
        if (_inputPosition == input.Length)
        {
            return false;
        }

        if (input.Length - _inputPosition < sizeof(int))
        {
            throw new InvalidDataException("xerial snappy block length is truncated");
        }

        var compressedLength = BinaryPrimitives.ReadInt32BigEndian(input[_inputPosition..]);
        _inputPosition += sizeof(int);
        if (compressedLength <= 0 || compressedLength > input.Length - _inputPosition)
        {
            throw new InvalidDataException($"xerial snappy block length {compressedLength} does not fit the input");
        }

        var block = input.Slice(_inputPosition, compressedLength);
        _inputPosition += compressedLength;
        var uncompressedLength = Snappy.GetUncompressedLength(block);
        if (uncompressedLength > _maxBlockBytes)
        {
            throw new InvalidDataException($"xerial snappy block inflates to {uncompressedLength} bytes, over the limit");
        }

        if (_block is null || _block.Length < uncompressedLength)
        {
            if (_block is not null)
            {
                ArrayPool<byte>.Shared.Return(_block);
            }

            _block = ArrayPool<byte>.Shared.Rent(Math.Max(uncompressedLength, 1));
        }

        _blockLength = Snappy.Decompress(block, _block);
        _blockPosition = 0;
        return true;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_block is not null)
        {
            ArrayPool<byte>.Shared.Return(_block);
            _block = null;
        }

        base.Dispose(disposing);
    }
}
