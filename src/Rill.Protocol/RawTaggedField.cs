namespace Rill.Protocol;

/// <summary>
/// A tagged field this code does not know. It is kept as it arrived (a slice of the read buffer,
/// not a copy) and written back unchanged, so a newer peer's fields survive a pass through us.
/// </summary>
public readonly record struct RawTaggedField(int Tag, ReadOnlyMemory<byte> Data);
