using Rill.Protocol;

namespace Rill.Metadata;

/// <summary>A metadata record with the schema version it is (or was) encoded in.</summary>
public readonly record struct ApiMessageAndVersion(IKafkaMessage Message, short Version);
