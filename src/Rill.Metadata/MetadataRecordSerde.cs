using Rill.Protocol;
using Rill.Protocol.MetadataRecords;

namespace Rill.Metadata;

/// <summary>
/// Encodes a metadata record as KRaft frames it: unsigned varints for the frame version (1), the record
/// type and its version, then the record's flexible body.
/// </summary>
public static class MetadataRecordSerde
{
    private const uint FrameVersion = 1;

    public static int SizeOf(ApiMessageAndVersion record) =>
        KafkaSize.UnsignedVarInt(FrameVersion)
        + KafkaSize.UnsignedVarInt(TypeOf(record.Message))
        + KafkaSize.UnsignedVarInt((uint)record.Version)
        + record.Message.ComputeSize(record.Version);

    public static void Write(ref KafkaWriter writer, ApiMessageAndVersion record)
    {
        writer.WriteUnsignedVarInt(FrameVersion);
        writer.WriteUnsignedVarInt(TypeOf(record.Message));
        writer.WriteUnsignedVarInt((uint)record.Version);
        record.Message.Write(ref writer, record.Version);
    }

    public static ApiMessageAndVersion Read(ReadOnlyMemory<byte> frame)
    {
        var reader = new KafkaReader(frame);
        var frameVersion = reader.ReadUnsignedVarInt();
        if (frameVersion != FrameVersion)
        {
            throw new InvalidDataException($"Metadata record frame version {frameVersion} is not {FrameVersion}.");
        }

        var type = reader.ReadUnsignedVarInt();
        var version = (short)reader.ReadUnsignedVarInt();
        IKafkaMessage message = type switch
        {
            0 => RegisterBrokerRecord.Read(ref reader, version),
            2 => TopicRecord.Read(ref reader, version),
            3 => PartitionRecord.Read(ref reader, version),
            4 => ConfigRecord.Read(ref reader, version),
            5 => PartitionChangeRecord.Read(ref reader, version),
            7 => FenceBrokerRecord.Read(ref reader, version),
            8 => UnfenceBrokerRecord.Read(ref reader, version),
            9 => RemoveTopicRecord.Read(ref reader, version),
            12 => FeatureLevelRecord.Read(ref reader, version),
            17 => BrokerRegistrationChangeRecord.Read(ref reader, version),
            20 => NoOpRecord.Read(ref reader, version),
            _ => throw new InvalidDataException($"Metadata record type {type} is not one Rill writes."),
        };
        if (reader.Remaining != 0)
        {
            throw new InvalidDataException($"Metadata record type {type} has {reader.Remaining} bytes left over.");
        }

        return new ApiMessageAndVersion(message, version);
    }

    private static uint TypeOf(IKafkaMessage message) => message switch
    {
        RegisterBrokerRecord => 0,
        TopicRecord => 2,
        PartitionRecord => 3,
        ConfigRecord => 4,
        PartitionChangeRecord => 5,
        FenceBrokerRecord => 7,
        UnfenceBrokerRecord => 8,
        RemoveTopicRecord => 9,
        FeatureLevelRecord => 12,
        BrokerRegistrationChangeRecord => 17,
        NoOpRecord => 20,
        _ => throw new ArgumentException($"{message.GetType().Name} is not a metadata record Rill writes.", nameof(message)),
    };
}
