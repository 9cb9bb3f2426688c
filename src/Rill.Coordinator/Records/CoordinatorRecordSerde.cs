using System.Buffers.Binary;
using Rill.Coordinator.Offsets;
using Rill.Protocol;
using Rill.Protocol.CoordinatorRecords;
using Rill.Protocol.Records;

namespace Rill.Coordinator.Records;

/// <summary>
/// Kafka's <c>__consumer_offsets</c> record format: key = int16 key version then the key struct (0/1 offset commit,
/// 2 group metadata), value = int16 value version then the value struct, a null value being a tombstone. We write
/// the versions Kafka 3.x/4.x writes, so that either broker can read the other's partitions.
/// </summary>
internal static class CoordinatorRecordSerde
{
    public const short OffsetCommitKeyVersion = 1;
    public const short GroupMetadataKeyVersion = 2;

    /// <summary>The value Kafka writes when the commit carries no expire timestamp.</summary>
    public const short OffsetCommitValueVersion = 3;

    /// <summary>The only value version with an expire timestamp (OffsetCommit v2-v4 with RetentionTimeMs).</summary>
    public const short OffsetCommitValueWithExpiryVersion = 1;

    public const short GroupMetadataValueVersion = 3;

    /// <summary>One uncompressed CreateTime batch holding <paramref name="records"/> in order.</summary>
    public static byte[] BuildBatch(IReadOnlyList<CoordinatorRecord> records, long timestampMs)
    {
        var builder = new RecordBatchBuilder(CompressionCodec.None);
        foreach (var record in records)
        {
            builder.Append(timestampMs, SerializeKey(record), SerializeValue(record));
        }

        return builder.Build();
    }

    public static byte[] SerializeKey(CoordinatorRecord record) => record switch
    {
        OffsetCommitRecord offset => Versioned(
            new OffsetCommitKey { Group = offset.GroupId, Topic = offset.Topic, Partition = offset.Partition },
            OffsetCommitKeyVersion),
        GroupMetadataRecord group => Versioned(new GroupMetadataKey { Group = group.GroupId }, GroupMetadataKeyVersion),
        _ => throw new ArgumentException($"Unknown coordinator record {record.GetType().Name}.", nameof(record)),
    };

    public static byte[]? SerializeValue(CoordinatorRecord record) => record switch
    {
        OffsetCommitRecord { Offset: null } => null,
        OffsetCommitRecord { Offset: { } offset } => Versioned(
            new OffsetCommitValue
            {
                Offset = offset.CommittedOffset,
                LeaderEpoch = offset.LeaderEpoch,
                Metadata = offset.Metadata,
                CommitTimestamp = offset.CommitTimestampMs,
                ExpireTimestamp = offset.ExpireTimestampMs ?? -1,
            },
            offset.ExpireTimestampMs is null ? OffsetCommitValueVersion : OffsetCommitValueWithExpiryVersion),
        GroupMetadataRecord { Value: null } => null,
        GroupMetadataRecord { Value: { } value } => Versioned(value, GroupMetadataValueVersion),
        _ => throw new ArgumentException($"Unknown coordinator record {record.GetType().Name}.", nameof(record)),
    };

    /// <summary>
    /// Decodes one record; null for keys this coordinator does not own (KIP-848 consumer groups, share groups, ...).
    /// Malformed bytes throw <see cref="ProtocolException"/>.
    /// </summary>
    public static CoordinatorRecord? Deserialize(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool isValueNull)
    {
        if (key.Length < sizeof(short))
        {
            throw new ProtocolException($"A __consumer_offsets key of {key.Length} bytes has no version.");
        }

        var keyVersion = BinaryPrimitives.ReadInt16BigEndian(key);
        var keyReader = new KafkaReader(key[sizeof(short)..].ToArray());
        switch (keyVersion)
        {
            case 0 or 1:
            {
                var offsetKey = OffsetCommitKey.Read(ref keyReader, keyVersion);
                var offset = isValueNull ? null : ReadOffset(value);
                return new OffsetCommitRecord(offsetKey.Group, offsetKey.Topic, offsetKey.Partition, offset);
            }

            case GroupMetadataKeyVersion:
            {
                var groupKey = GroupMetadataKey.Read(ref keyReader, keyVersion);
                var group = isValueNull ? null : ReadValue<GroupMetadataValue>(value, GroupMetadataValue.HighestSupportedVersion);
                return new GroupMetadataRecord(groupKey.Group, group);
            }

            default:
                return null;
        }
    }

    private static OffsetAndMetadata ReadOffset(ReadOnlySpan<byte> value)
    {
        var offset = ReadValue<OffsetCommitValue>(value, OffsetCommitValue.HighestSupportedVersion);
        return new OffsetAndMetadata(
            offset.Offset,
            offset.LeaderEpoch,
            offset.Metadata,
            offset.CommitTimestamp,
            offset.ExpireTimestamp == -1 ? null : offset.ExpireTimestamp);
    }

    private static T ReadValue<T>(ReadOnlySpan<byte> value, short highestVersion)
        where T : IKafkaMessage<T>
    {
        if (value.Length < sizeof(short))
        {
            throw new ProtocolException($"A __consumer_offsets value of {value.Length} bytes has no version.");
        }

        var version = BinaryPrimitives.ReadInt16BigEndian(value);
        if (version < 0 || version > highestVersion)
        {
            throw new ProtocolException($"{typeof(T).Name} version {version} is not one this broker can read.");
        }

        var reader = new KafkaReader(value[sizeof(short)..].ToArray());
        return T.Read(ref reader, version);
    }

    private static byte[] Versioned<T>(T message, short version)
        where T : IKafkaMessage
    {
        var bytes = new byte[sizeof(short) + message.ComputeSize(version)];
        BinaryPrimitives.WriteInt16BigEndian(bytes, version);
        var writer = new KafkaWriter(bytes.AsSpan(sizeof(short)));
        message.Write(ref writer, version);
        return bytes;
    }
}
