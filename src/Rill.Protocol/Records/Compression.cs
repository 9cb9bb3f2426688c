using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;
using Snappier;
using ZstdSharp;

namespace Rill.Protocol.Records;

/// <summary>Compresses the records section of a batch the way Kafka clients do.</summary>
internal static class Compression
{
    /// <summary>snappy-java's and kafka-python's block size for the xerial framing.</summary>
    private const int XerialBlockSize = 32 * 1024;

    /// <summary>Kafka's LZ4 output uses 64 KiB blocks.</summary>
    private const int Lz4BlockSize = 64 * 1024;

    public static void Compress(CompressionCodec codec, ReadOnlySpan<byte> input, bool xerialSnappy, ArrayBufferWriter<byte> output)
    {
        switch (codec)
        {
            case CompressionCodec.Gzip:
                CompressGzip(input, output);
                break;
            case CompressionCodec.Snappy when xerialSnappy:
                CompressXerialSnappy(input, output);
                break;
            case CompressionCodec.Snappy:
                CompressRawSnappy(input, output);
                break;
            case CompressionCodec.Lz4:
                LZ4Frame.Encode(input, output, new LZ4EncoderSettings { BlockSize = Lz4BlockSize, CompressionLevel = LZ4Level.L00_FAST });
                break;
            case CompressionCodec.Zstd:
                using (var compressor = new Compressor(Compressor.DefaultCompressionLevel))
                {
                    output.Write(compressor.Wrap(input));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(codec), codec, "not a compression codec");
        }
    }

    private static void CompressGzip(ReadOnlySpan<byte> input, ArrayBufferWriter<byte> output)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(input);
        }

        output.Write(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    private static void CompressRawSnappy(ReadOnlySpan<byte> input, ArrayBufferWriter<byte> output)
    {
        var written = Snappy.Compress(input, output.GetSpan(Snappy.GetMaxCompressedLength(input.Length)));
        output.Advance(written);
    }

    private static void CompressXerialSnappy(ReadOnlySpan<byte> input, ArrayBufferWriter<byte> output)
    {
        var header = output.GetSpan(XerialSnappyStream.HeaderSize);
        ReadOnlySpan<byte> magic = [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];
        magic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], 1);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], 1);
        output.Advance(XerialSnappyStream.HeaderSize);
        while (!input.IsEmpty)
        {
            var block = input[..Math.Min(XerialBlockSize, input.Length)];
            input = input[block.Length..];
            var span = output.GetSpan(sizeof(int) + Snappy.GetMaxCompressedLength(block.Length));
            var written = Snappy.Compress(block, span[sizeof(int)..]);
            BinaryPrimitives.WriteInt32BigEndian(span, written);
            output.Advance(sizeof(int) + written);
        }
    }
}
