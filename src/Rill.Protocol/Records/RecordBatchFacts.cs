namespace Rill.Protocol.Records;

/// <summary>What validation learned about one batch, so the log does not parse it again.</summary>
/// <param name="Position">Where the batch starts in the validated bytes.</param>
/// <param name="SizeInBytes">The whole batch, header included.</param>
/// <param name="RecordCount">recordsCount from the header, checked against the records.</param>
/// <param name="LastOffsetDelta">Offsets the batch takes are base .. base + LastOffsetDelta.</param>
/// <param name="MaxTimestamp">
/// The largest record timestamp found by parsing (the header's value for an empty batch). May differ from
/// the header's maxTimestamp, which the log then corrects as Kafka does.
/// </param>
/// <param name="Codec">The batch's compression codec.</param>
public readonly record struct RecordBatchFacts(
    int Position,
    int SizeInBytes,
    int RecordCount,
    int LastOffsetDelta,
    long MaxTimestamp,
    CompressionCodec Codec);
