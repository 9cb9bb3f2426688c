using Microsoft.Extensions.Logging;
using Rill.Coordinator;
using Rill.Metadata;

namespace Rill.Server.Groups;

/// <summary>
/// Tells the group coordinator which <c>__consumer_offsets</c> partitions this broker leads, as metadata
/// images arrive; loading runs in the background while requests for those groups get COORDINATOR_LOAD_IN_PROGRESS.
/// </summary>
public sealed class CoordinatorPublisher : IMetadataPublisher
{
    private readonly GroupCoordinator _coordinator;
    private readonly int _nodeId;
    private readonly ILogger _logger;
    private readonly HashSet<int> _led = [];
    private readonly List<Task> _loads = [];

    public CoordinatorPublisher(GroupCoordinator coordinator, int nodeId, ILogger logger)
    {
        _coordinator = coordinator;
        _nodeId = nodeId;
        _logger = logger;
    }

    /// <summary>The loads started so far, for shutdown to await.</summary>
    public Task AllLoads
    {
        get
        {
            lock (_loads)
            {
                return Task.WhenAll(_loads);
            }
        }
    }

    public void Publish(MetadataImage previous, MetadataImage current)
    {
        var ledNow = new HashSet<int>();
        if (current.Topics.TryGetValue(OffsetsTopic.Name, out var topic))
        {
            foreach (var partition in topic.Partitions)
            {
                if (partition.Leader == _nodeId)
                {
                    ledNow.Add(partition.PartitionId);
                }
            }
        }

        foreach (var partition in ledNow)
        {
            if (_led.Add(partition))
            {
                Track(LoadAsync(partition));
            }
        }

        foreach (var partition in _led.Where(p => !ledNow.Contains(p)).ToList())
        {
            _led.Remove(partition);
            Track(_coordinator.OnResignAsync(partition));
        }
    }

    private void Track(Task task)
    {
        lock (_loads)
        {
            _loads.RemoveAll(t => t.IsCompleted);
            _loads.Add(task);
        }
    }

    private async Task LoadAsync(int partition)
    {
        try
        {
            await _coordinator.OnBecomeLeaderAsync(partition, CancellationToken.None);
        }
        catch (Exception exception)
        {
            ServerLog.BackgroundTaskFailed(_logger, exception, $"loading {OffsetsTopic.Name}-{partition}");
        }
    }
}
