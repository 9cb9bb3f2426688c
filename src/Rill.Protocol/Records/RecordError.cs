namespace Rill.Protocol.Records;

/// <summary>A record that made its batch fail (Produce v8+ record_errors, KIP-467): its index in the batch and why.</summary>
public readonly record struct RecordError(int BatchIndex, string? Message);
