using Rill.Common;
using Rill.Coordinator.Runtime;

namespace Rill.Coordinator;

public sealed partial class GroupCoordinator
{
    /// <summary>
    /// A copy of the committed offsets of every group this broker coordinates. Each partition's copy is taken on its
    /// event loop, between two operations, so it needs no lock; partitions that are loading, or resign meanwhile, are
    /// left out. Faults with <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires first.
    /// </summary>
    public async Task<IReadOnlyList<GroupOffsetSnapshot>> CommittedOffsetsAsync(CancellationToken cancellationToken)
    {
        var copies = new List<Task<List<GroupOffsetSnapshot>>>();
        foreach (var shard in _shards.Values)
        {
            if (shard.Status == ShardStatus.Active)
            {
                copies.Add(shard.RunAsync(() => ValueTask.FromResult(shard.CommittedOffsets())));
            }
        }

        var offsets = new List<GroupOffsetSnapshot>();
        foreach (var copy in copies)
        {
            try
            {
                offsets.AddRange(await copy.WaitAsync(cancellationToken));
            }
            catch (KafkaException)
            {
                // Resigned or unloaded since: its groups are not coordinated here any more.
            }
        }

        return offsets;
    }
}
