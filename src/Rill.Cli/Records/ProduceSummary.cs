using System.Text.Json.Serialization;
using Confluent.Kafka;

namespace Rill.Cli.Records;

/// <summary>What <c>rill produce</c> prints: records written, per partition with first and last offsets (null with acks=0).</summary>
internal sealed record ProduceSummary(string Topic, long Records, long Failed, IReadOnlyList<PartitionSummary> Partitions, [property: JsonIgnore] Error? FirstError);

internal sealed record PartitionSummary(int Partition, long Records, long? FirstOffset, long? LastOffset);
