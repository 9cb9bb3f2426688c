using System.Collections.Immutable;
using Rill.Common;

namespace Rill.Metadata;

/// <summary>A topic in a <see cref="MetadataImage"/>; partitions are indexed by their id, 0..n-1.</summary>
public sealed record TopicImage(string Name, Uuid Id, ImmutableArray<PartitionRegistration> Partitions);
