using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using K4os.Compression.LZ4.Streams;
using Snappier;
using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Rill.Protocol.Records;

/// <summary>
/// Opens the records of a compressed batch as a stream of uncompressed bytes. Every codec but raw snappy
/// decodes incrementally, so memory stays bounded whatever the compressed bytes claim; raw snappy is a
/// single block whose declared size is checked against the limit before anything is rented.
/// Failures surface as exceptions from <see cref="Open"/> or from reading the stream; callers turn them
/// into error codes.
/// </summary>
internal static class Decompression
{
    /// <summary>zstd's own default limit (ZSTD_WINDOWLOG_LIMIT_DEFAULT): never accept a larger window.</summary>
    private const int MaxZstdWindowLog = 27;

    /// <summary>zstd's smallest window (ZSTD_WINDOWLOG_ABSOLUTEMIN).</summary>
    private const int MinZstdWindowLog = 10;

    public static Stream Open(CompressionCodec codec, ReadOnlyMemory<byte> compressed, long maxUncompressedBytes) => codec switch
    {
        CompressionCodec.Gzip => new GZipStream(new ReadOnlyMemoryStream(compressed), CompressionMode.Decompress),
        CompressionCodec.Snappy => OpenSnappy(compressed, maxUncompressedBytes),
        CompressionCodec.Lz4 => LZ4Stream.Decode(new ReadOnlyMemoryStream(compressed), new LZ4DecoderSettings(), leaveOpen: false),
        CompressionCodec.Zstd => OpenZstd(compressed, maxUncompressedBytes),
        _ => throw new InvalidDataException($"compression codec {(int)codec} is unknown"),
    };

    private static Stream OpenSnappy(ReadOnlyMemory<byte> compressed, long maxUncompressedBytes)
    {
        // Java's client and kafka-python frame snappy the xerial way; librdkafka writes one raw block.
        // Brokers tell them apart by the 8-byte magic, as librdkafka does when reading.
        if (XerialSnappyStream.HasHeader(compressed.Span))
        {
            return new XerialSnappyStream(compressed, maxUncompressedBytes);
        }

        var length = Snappy.GetUncompressedLength(compressed.Span);
        if (length > maxUncompressedBytes)
        {
            throw new DecompressionLimitException(length, maxUncompressedBytes);
        }

        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            var written = Snappy.Decompress(compressed.Span, rented);
            return new PooledBufferStream(rented, written);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(rented);
            throw;
        }
    }

    private static DecompressionStream OpenZstd(ReadOnlyMemory<byte> compressed, long maxUncompressedBytes)
    {
        CheckZstdFrameHeader(compressed.Span, maxUncompressedBytes);
        var stream = new DecompressionStream(new ReadOnlyMemoryStream(compressed), bufferSize: 0, checkEndOfStream: true, leaveOpen: false);
        // A frame header alone can ask for a window of 2^27 bytes; no window larger than the output we allow is useful.
        var windowLog = Math.Clamp(64 - long.LeadingZeroCount(Math.Max(maxUncompressedBytes - 1, 1)), MinZstdWindowLog, MaxZstdWindowLog);
        stream.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, (int)windowLog);
        return stream;
    }

    /// <summary>
    /// Reads the first frame's header (RFC 8878 3.1.1.1) so a declared content size or window beyond the limit is
    /// refused as too large before the decoder allocates that window; ZstdSharp does not expose its error codes.
    /// </summary>
    private static void CheckZstdFrameHeader(ReadOnlySpan<byte> frame, long maxUncompressedBytes)
    {
        if (frame.Length < 6 || BinaryPrimitives.ReadUInt32LittleEndian(frame) != 0xFD2FB528)
        {
            return;
        }

        var descriptor = frame[4];
        var singleSegment = (descriptor & 0x20) != 0;
        var position = 5;
        long windowSize = -1;
        if (!singleSegment)
        {
            var window = frame[position++];
            var windowBase = 1L << (10 + (window >> 3));
            windowSize = windowBase + (windowBase / 8 * (window & 7));
        }

        position += (descriptor & 0x03) switch { 0 => 0, 1 => 1, 2 => 2, _ => 4 };
        var contentSizeBytes = (descriptor >> 6) switch { 0 => singleSegment ? 1 : 0, 1 => 2, 2 => 4, _ => 8 };
        long contentSize = -1;
        if (contentSizeBytes > 0 && frame.Length >= position + contentSizeBytes)
        {
            var field = frame.Slice(position, contentSizeBytes);
            contentSize = contentSizeBytes switch
            {
                1 => field[0],
                2 => BinaryPrimitives.ReadUInt16LittleEndian(field) + 256L,
                4 => BinaryPrimitives.ReadUInt32LittleEndian(field),
                _ => (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(field), long.MaxValue),
            };
        }

        var declared = Math.Max(windowSize, contentSize);
        if (declared > maxUncompressedBytes)
        {
            throw new DecompressionLimitException(declared, maxUncompressedBytes);
        }
    }
}
