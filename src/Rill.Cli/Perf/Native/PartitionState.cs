namespace Rill.Cli.Perf.Native;

/// <summary>Where the native consumer is in one partition, and where it stops (long.MaxValue: it does not).</summary>
internal sealed class PartitionState
{
    public PartitionState(int partition, long nextOffset, long endOffset)
    {
        Partition = partition;
        NextOffset = nextOffset;
        EndOffset = endOffset;
        Done = nextOffset >= endOffset;
    }

    public int Partition { get; }

    public long NextOffset { get; set; }

    public long EndOffset { get; }

    public bool Done { get; set; }
}
