using Rill.Common;

namespace Rill.Replication;

/// <summary>One partition's records of a Produce request; the append rewrites the batch headers in place.</summary>
public readonly record struct AppendEntry(TopicPartition TopicPartition, Memory<byte> Records);
