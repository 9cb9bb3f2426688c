using Rill.Coordinator.Offsets;
using Rill.Coordinator.Records;
using Rill.Protocol.CoordinatorRecords;

namespace Rill.Coordinator.Tests;

public sealed class RecordFormatTests
{
    [Fact]
    public void OffsetCommit_KeyAndValue_AreKafkasVersionOneKeyAndVersionThreeValue()
    {
        var record = new OffsetCommitRecord("grp", "t", 2, new OffsetAndMetadata(5, 3, "m", 1000, null));

        Assert.Equal(
            [0, 1, 0, 3, (byte)'g', (byte)'r', (byte)'p', 0, 1, (byte)'t', 0, 0, 0, 2],
            CoordinatorRecordSerde.SerializeKey(record));
        Assert.Equal(
            [0, 3, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 3, 0, 1, (byte)'m', 0, 0, 0, 0, 0, 0, 0x03, 0xE8],
            CoordinatorRecordSerde.SerializeValue(record));
    }

    [Fact]
    public void OffsetCommit_WithExpireTimestamp_IsVersionOneValue()
    {
        var record = new OffsetCommitRecord("grp", "t", 2, new OffsetAndMetadata(5, 3, "", 1000, 2000));

        Assert.Equal(
            [0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0x03, 0xE8, 0, 0, 0, 0, 0, 0, 0x07, 0xD0],
            CoordinatorRecordSerde.SerializeValue(record));
    }

    [Fact]
    public void GroupMetadata_KeyIsVersionTwo_ValueVersionThree_TombstoneHasNoValue()
    {
        var key = CoordinatorRecordSerde.SerializeKey(new GroupMetadataRecord("grp", null));
        var value = CoordinatorRecordSerde.SerializeValue(new GroupMetadataRecord("grp", new GroupMetadataValue { ProtocolType = "consumer", Generation = 4 }));

        Assert.Equal([0, 2, 0, 3, (byte)'g', (byte)'r', (byte)'p'], key);
        Assert.Equal([0, 3], value![..2]);
        Assert.Null(CoordinatorRecordSerde.SerializeValue(new GroupMetadataRecord("grp", null)));
    }

    [Fact]
    public void Records_RoundTrip_AndKeysOfOtherCoordinatorsAreSkipped()
    {
        var offset = new OffsetCommitRecord("grp", "t", 2, new OffsetAndMetadata(5, -1, "x", 1000, null));
        var decoded = CoordinatorRecordSerde.Deserialize(CoordinatorRecordSerde.SerializeKey(offset), CoordinatorRecordSerde.SerializeValue(offset), isValueNull: false);
        var tombstone = CoordinatorRecordSerde.Deserialize(CoordinatorRecordSerde.SerializeKey(offset), [], isValueNull: true);

        Assert.Equal(offset, decoded);
        Assert.Equal(offset with { Offset = null }, tombstone);
        // Key version 3 is a KIP-848 consumer group record: not this coordinator's.
        Assert.Null(CoordinatorRecordSerde.Deserialize([0, 3, 0, 1, (byte)'g'], [0, 0], isValueNull: false));
    }

    [Fact]
    public void OffsetCommit_KeyVersionZero_IsReadLikeVersionOne()
    {
        byte[] key = [0, 0, 0, 1, (byte)'g', 0, 1, (byte)'t', 0, 0, 0, 9];
        var value = CoordinatorRecordSerde.SerializeValue(new OffsetCommitRecord("g", "t", 9, new OffsetAndMetadata(1, -1, "", 0, null)));

        var decoded = Assert.IsType<OffsetCommitRecord>(CoordinatorRecordSerde.Deserialize(key, value, isValueNull: false));

        Assert.Equal(("g", "t", 9, 1L), (decoded.GroupId, decoded.Topic, decoded.Partition, decoded.Offset!.CommittedOffset));
    }
}
