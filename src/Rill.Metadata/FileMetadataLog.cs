using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Rill.Common;
using Rill.Protocol;

namespace Rill.Metadata;

/// <summary>
/// The single-node metadata log: one file of entries, each <c>length int32, crc32c uint32, payload</c>
/// where the payload is <c>baseOffset int64, count int32</c> then each record as an unsigned-varint-sized
/// frame. Every append is fsync'd before it returns (metadata must never be lost to a crash); a torn or
/// corrupt tail, which only a crash mid-append can leave, is truncated at open.
/// </summary>
public sealed class FileMetadataLog : IMetadataLog
{
    public const string DirectoryName = "__cluster_metadata-0";
    private const string FileName = "metadata.log";
    private const int EntryHeaderSize = 8;
    private const int PayloadHeaderSize = 12;

    private readonly FileStream _file;
    private readonly ILogger _logger;
    private readonly List<IMetadataLogListener> _listeners = [];
    private long _nextOffset;

    public FileMetadataLog(string logDir, ILogger logger)
    {
        var directory = System.IO.Path.Combine(logDir, DirectoryName);
        Directory.CreateDirectory(directory);
        Path = System.IO.Path.Combine(directory, FileName);
        _logger = logger;
        _file = new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
    }

    public string Path { get; }

    public IEnumerable<MetadataBatch> ReadAll()
    {
        var batches = new List<MetadataBatch>();
        var bytes = File.ReadAllBytes(Path);
        var position = 0;
        while (position < bytes.Length)
        {
            if (!TryReadEntry(bytes.AsMemory(position), out var batch, out var entrySize, out var reason))
            {
                MetadataLog.TruncatedTail(_logger, Path, position, bytes.Length - position, reason);
                _file.SetLength(position);
                _file.Flush(flushToDisk: true);
                break;
            }

            batches.Add(batch);
            _nextOffset = batch.LastOffset + 1;
            position += entrySize;
        }

        _file.Seek(0, SeekOrigin.End);
        return batches;
    }

    public long Append(IReadOnlyList<ApiMessageAndVersion> records)
    {
        if (records.Count == 0)
        {
            throw new ArgumentException("A metadata batch holds at least one record.", nameof(records));
        }

        var payloadSize = PayloadHeaderSize;
        foreach (var record in records)
        {
            var size = MetadataRecordSerde.SizeOf(record);
            payloadSize += KafkaSize.UnsignedVarInt((uint)size) + size;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(EntryHeaderSize + payloadSize);
        try
        {
            var payload = buffer.AsSpan(EntryHeaderSize, payloadSize);
            BinaryPrimitives.WriteInt64BigEndian(payload, _nextOffset);
            BinaryPrimitives.WriteInt32BigEndian(payload[8..], records.Count);
            var writer = new KafkaWriter(payload[PayloadHeaderSize..]);
            foreach (var record in records)
            {
                writer.WriteUnsignedVarInt((uint)MetadataRecordSerde.SizeOf(record));
                MetadataRecordSerde.Write(ref writer, record);
            }

            BinaryPrimitives.WriteInt32BigEndian(buffer, payloadSize);
            BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), Crc32C.Compute(payload));
            _file.Write(buffer, 0, EntryHeaderSize + payloadSize);
            _file.Flush(flushToDisk: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _nextOffset += records.Count;
        var lastOffset = _nextOffset - 1;

        // fsync'd on the only voter: committed.
        var batch = new MetadataBatch(lastOffset, records);
        foreach (var listener in _listeners)
        {
            listener.HandleCommit(batch);
        }

        return lastOffset;
    }

    public void Register(IMetadataLogListener listener) => _listeners.Add(listener);

    public void Dispose() => _file.Dispose();

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
