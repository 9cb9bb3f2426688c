using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Protocol;

namespace Rill.Metadata;

/// <summary>
/// The metadata log of single-node Rill before the Raft quorum: <c>__cluster_metadata-0/metadata.log</c>, one file of
/// entries, each <c>length int32, crc32c uint32, payload</c> where the payload is <c>baseOffset int64, count int32</c>
/// then each record as an unsigned-varint-sized frame. Only read now, once, when a node that kept it starts on the
/// quorum and moves its records there; a torn tail (a crash mid-append) ends the read, as it ended the old log.
/// </summary>
public static class LegacyMetadataLog
{
    public const string DirectoryName = "__cluster_metadata-0";
    private const string FileName = "metadata.log";
    private const int EntryHeaderSize = 8;
    private const int PayloadHeaderSize = 12;

    /// <summary>Where the old log is in <paramref name="logDir"/>.</summary>
    public static string PathIn(string logDir) => Path.Combine(logDir, DirectoryName, FileName);

    /// <summary>Every batch the old log at <paramref name="path"/> holds, up to a torn or corrupt tail.</summary>
    public static IReadOnlyList<MetadataBatch> ReadAll(string path, ILogger logger)
    {
        var batches = new List<MetadataBatch>();
        var bytes = File.ReadAllBytes(path);
        var position = 0;
        while (position < bytes.Length)
        {
            if (!TryReadEntry(bytes.AsMemory(position), out var batch, out var entrySize, out var reason))
            {
                MetadataLog.TruncatedTail(logger, path, position, bytes.Length - position, reason);
                break;
            }

            batches.Add(batch);
            position += entrySize;
        }

        return batches;
    }

    private static bool TryReadEntry(ReadOnlyMemory<byte> source, out MetadataBatch batch, out int entrySize, out string reason)
    {
        batch = null!;
        entrySize = 0;
        var span = source.Span;
        if (span.Length < EntryHeaderSize)
        {
            reason = "the entry header is cut short";
            return false;
        }

        var payloadSize = BinaryPrimitives.ReadInt32BigEndian(span);
        if (payloadSize < PayloadHeaderSize || payloadSize > span.Length - EntryHeaderSize)
        {
            reason = $"the entry length {payloadSize} does not fit the {span.Length - EntryHeaderSize} bytes left";
            return false;
        }

        var payload = source.Slice(EntryHeaderSize, payloadSize);
        if (Crc32C.Compute(payload.Span) != BinaryPrimitives.ReadUInt32BigEndian(span[4..]))
        {
            reason = "the entry's CRC does not match";
            return false;
        }

        var baseOffset = BinaryPrimitives.ReadInt64BigEndian(payload.Span);
        var count = BinaryPrimitives.ReadInt32BigEndian(payload.Span[8..]);
        var reader = new KafkaReader(payload[PayloadHeaderSize..]);
        var records = new List<ApiMessageAndVersion>(Math.Min(count, payloadSize));
        for (var i = 0; i < count; i++)
        {
            var size = (int)reader.ReadUnsignedVarInt();
            var frameStart = payloadSize - reader.Remaining;
            records.Add(MetadataRecordSerde.Read(payload.Slice(frameStart, size)));
            reader.Skip(size);
        }

        batch = new MetadataBatch(baseOffset + count - 1, records);
        entrySize = EntryHeaderSize + payloadSize;
        reason = string.Empty;
        return true;
    }
}
