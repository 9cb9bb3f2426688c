using Rill.Config;
using Rill.Protocol.MetadataRecords;

namespace Rill.Metadata;

/// <summary>
/// The records one controller operation decides about partition leaders and ISRs (kafka: ReplicationControlManager),
/// each decided on the state the ones before it leave: when a broker is fenced, shuts down or restarts its leaderships
/// move to other ISR members that may lead and it leaves the ISRs (never emptying one); when it is unfenced, the
/// partitions without a leader whose ISR holds it get it back. A topic with <c>unclean.leader.election.enable</c> lets
/// a replica outside the ISR lead when no ISR member can.
/// </summary>
internal sealed partial class ReplicationControl
{
    private const short FenceChangeVersion = 0;
    private const short ShutdownChangeVersion = 1;

    private readonly ServerConfig _config;
    private readonly List<ApiMessageAndVersion> _records = [];
    private readonly Dictionary<string, bool> _unclean = new(StringComparer.Ordinal);

    public ReplicationControl(ServerConfig config, MetadataImage state)
    {
        _config = config;
        State = state;
    }

    /// <summary>The state with every record decided so far replayed.</summary>
    public MetadataImage State { get; private set; }

    public List<ApiMessageAndVersion> Records => _records;

    /// <summary>Whether <paramref name="brokerId"/> may lead and join ISRs in <paramref name="image"/>.</summary>
    public static bool IsActive(MetadataImage image, int brokerId) =>
        image.Brokers.TryGetValue(brokerId, out var broker) && broker.IsActive;

    /// <summary>Whether the topic lets a replica outside the ISR lead: its override, the dynamic and the static broker default.</summary>
    public bool UncleanElectionEnabled(string topic)
    {
        if (!_unclean.TryGetValue(topic, out var enabled))
        {
            enabled = State.TopicConfigOf(_config, topic).UncleanLeaderElectionEnable;
            _unclean[topic] = enabled;
        }

        return enabled;
    }

    /// <summary>Whether <paramref name="brokerId"/> leads any partition.</summary>
    public bool HasLeaderships(int brokerId) =>
        State.Topics.Values.Any(topic => topic.Partitions.Any(partition => partition.Leader == brokerId));

    public void Add(ApiMessageAndVersion record) => AddRange([record]);

    public void AddRange(IReadOnlyList<ApiMessageAndVersion> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        _records.AddRange(records);
        State = MetadataController.Replay(State, records, State.Offset);
    }

    /// <summary>
    /// A broker that stopped heartbeating or finished its controlled shutdown (kafka: handleBrokerFenced): it leaves
    /// every ISR it is in and its leaderships move, then it is fenced.
    /// </summary>
    public void FenceBroker(int brokerId)
    {
        var registration = State.Brokers[brokerId];
        UpdateLeadersAndIsrs(brokerId, PartitionRegistration.NoLeader, PartitionRegistration.NoLeader, PartitionsWithInIsr(brokerId));
        Add(new(new BrokerRegistrationChangeRecord { BrokerId = brokerId, BrokerEpoch = registration.BrokerEpoch, Fenced = 1 }, FenceChangeVersion));
    }

    /// <summary>
    /// A broker that caught up with the metadata log (kafka: handleBrokerUnfenced): it is unfenced, then leads the
    /// partitions without a leader that it can lead.
    /// </summary>
    public void UnfenceBroker(int brokerId, long brokerEpoch)
    {
        Add(new(new BrokerRegistrationChangeRecord { BrokerId = brokerId, BrokerEpoch = brokerEpoch, Fenced = -1 }, FenceChangeVersion));
        UpdateLeadersAndIsrs(PartitionRegistration.NoLeader, brokerId, PartitionRegistration.NoLeader, Leaderless());
    }

    /// <summary>
    /// A broker that asked to shut down (kafka: handleBrokerInControlledShutdown): it is marked so, leaves every ISR
    /// and its leaderships move, so that it can stop once it leads nothing.
    /// </summary>
    public void BeginControlledShutdown(int brokerId, long brokerEpoch)
    {
        if (!State.Brokers[brokerId].InControlledShutdown)
        {
            Add(new(new BrokerRegistrationChangeRecord { BrokerId = brokerId, BrokerEpoch = brokerEpoch, InControlledShutdown = 1 }, ShutdownChangeVersion));
        }

        UpdateLeadersAndIsrs(brokerId, PartitionRegistration.NoLeader, PartitionRegistration.NoLeader, PartitionsWithInIsr(brokerId));
    }

    /// <summary>
    /// A broker registering with a new incarnation: the process before it ended without telling the controller and may
    /// have lost what it had not flushed, so it may not keep leading on that data. It leaves the ISRs (but stays in
    /// any it is the last member of) and its leaderships move; it rejoins ISRs by catching up, as any follower.
    /// Kafka does this only with eligible leader replicas (handleBrokerUncleanShutdown); without them its restarted
    /// broker keeps leading until its session expires.
    /// </summary>
    public void HandleNewIncarnation(int brokerId) =>
        UpdateLeadersAndIsrs(PartitionRegistration.NoLeader, PartitionRegistration.NoLeader, brokerId, PartitionsWithInIsr(brokerId));

    /// <summary>
    /// Kafka's generateLeaderAndIsrUpdates: each partition's ISR without <paramref name="brokerToRemove"/> and
    /// <paramref name="brokerWithUncleanShutdown"/>, its leader elected among the brokers that may lead, where
    /// <paramref name="brokerToAdd"/> may lead although the state does not show it unfenced yet.
    /// </summary>
    public void UpdateLeadersAndIsrs(
        int brokerToRemove,
        int brokerToAdd,
        int brokerWithUncleanShutdown,
        IEnumerable<(TopicImage Topic, PartitionRegistration Partition)> partitions)
    {
        var state = State;
        bool MayLead(int replica) =>
            replica != brokerToRemove && replica != brokerWithUncleanShutdown && (replica == brokerToAdd || IsActive(state, replica));

        // The partitions are independent, so their changes are decided on one state and replayed together.
        var changes = new List<ApiMessageAndVersion>();
        foreach (var (topic, partition) in partitions)
        {
            var builder = new PartitionChangeBuilder(partition, topic.Id, MayLead)
            {
                Election = UncleanElectionEnabled(topic.Name) ? Election.Unclean : Election.Online,
                TargetIsr = [.. partition.Isr.Where(replica => replica != brokerToRemove && replica != brokerWithUncleanShutdown)],
            };
            if (builder.Build() is { } change)
            {
                changes.Add(change);
            }
        }

        AddRange(changes);
    }

    public IEnumerable<(TopicImage Topic, PartitionRegistration Partition)> PartitionsWithInIsr(int brokerId) =>
        Partitions(partition => partition.Isr.Contains(brokerId));

    public IEnumerable<(TopicImage Topic, PartitionRegistration Partition)> Leaderless() =>
        Partitions(partition => !partition.HasLeader);

    // Materialized: callers replay changes into State while they go through the result.
    private List<(TopicImage Topic, PartitionRegistration Partition)> Partitions(Func<PartitionRegistration, bool> predicate) =>
        [.. State.Topics.Values
            .OrderBy(topic => topic.Name, StringComparer.Ordinal)
            .SelectMany(topic => topic.Partitions.Where(predicate).Select(partition => (topic, partition)))];
}
