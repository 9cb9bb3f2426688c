namespace Rill.Storage;

/// <summary>One line of <c>leader-epoch-checkpoint</c>: the first offset written in a leader epoch (kafka: EpochEntry).</summary>
public readonly record struct EpochEntry(int Epoch, long StartOffset);
