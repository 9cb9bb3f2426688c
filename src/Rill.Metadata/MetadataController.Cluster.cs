using Rill.Protocol.Messages;

namespace Rill.Metadata;

/// <summary>The controller's cluster operations: broker registration, heartbeats and sessions.</summary>
public sealed partial class MetadataController
{
    // Broker sessions live here, in the active controller's memory; they are only touched inside operations, which
    // run one at a time.
    private readonly ClusterControl _cluster;
    private readonly Random _random;

    public Task<ControllerResult<BrokerRegistrationResponse>> RegisterBrokerAsync(BrokerRegistrationRequest request, CancellationToken cancellationToken) =>
        RunAsync(state => _cluster.Register(state, request), commit: true, cancellationToken);

    public Task<ControllerResult<BrokerHeartbeatResponse>> BrokerHeartbeatAsync(BrokerHeartbeatRequest request, CancellationToken cancellationToken) =>
        RunAsync(state => _cluster.Heartbeat(state, request), commit: true, cancellationToken);

    /// <summary>An ISR change asked for by a partition leader; see <see cref="ReplicationControl.AlterPartition"/>.</summary>
    public Task<ControllerResult<AlterPartitionResponse>> AlterPartitionAsync(AlterPartitionRequest request, CancellationToken cancellationToken) =>
        RunAsync(state => Decide(state, replication => replication.AlterPartition(request)), commit: true, cancellationToken);

    /// <summary>ElectLeaders, PREFERRED or UNCLEAN; see <see cref="ReplicationControl.ElectLeaders"/>.</summary>
    public Task<ControllerResult<ElectLeadersResponse>> ElectLeadersAsync(ElectLeadersRequest request, CancellationToken cancellationToken) =>
        RunAsync(state => Decide(state, replication => replication.ElectLeaders(request)), commit: true, cancellationToken);

    /// <summary>Starts, changes or cancels partition reassignments; see <see cref="ReplicationControl.AlterPartitionReassignments"/>.</summary>
    public Task<ControllerResult<AlterPartitionReassignmentsResponse>> AlterPartitionReassignmentsAsync(
        AlterPartitionReassignmentsRequest request,
        CancellationToken cancellationToken) =>
        RunAsync(state => Decide(state, replication => replication.AlterPartitionReassignments(request)), commit: true, cancellationToken);

    /// <summary>The reassignments in progress; reads the controller's state and records nothing.</summary>
    public Task<ControllerResult<ListPartitionReassignmentsResponse>> ListPartitionReassignmentsAsync(
        ListPartitionReassignmentsRequest request,
        CancellationToken cancellationToken) =>
        RunAsync(state => Decide(state, replication => replication.ListPartitionReassignments(request)), commit: false, cancellationToken);

    /// <summary>
    /// The periodic leadership check the controller's timer calls every <c>leader.imbalance.check.interval.seconds</c>:
    /// unclean elections for leaderless partitions of topics that allow them, and preferred-leader rebalancing with
    /// <c>auto.leader.rebalance.enable</c>; see <see cref="ReplicationControl.BalanceLeaders"/>. Returns the elections made.
    /// </summary>
    public async Task<int> BalanceLeadersAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        int elections;
        do
        {
            elections = (await RunAsync(
                state => Decide(state, replication => replication.BalanceLeaders(ReplicationControl.MaxElectionsPerBalance)),
                commit: true,
                cancellationToken).ConfigureAwait(false)).Response;
            total += elections;
        }
        while (elections == ReplicationControl.MaxElectionsPerBalance);

        return total;
    }

    /// <summary>
    /// Fences every broker whose session expired, one operation each, moving its leaderships and removing it from the
    /// ISRs; returns their ids. The controller's timer calls it; the clock is the one the controller was given.
    /// </summary>
    public async Task<IReadOnlyList<int>> FenceStaleBrokersAsync(CancellationToken cancellationToken)
    {
        var fenced = new List<int>();
        while ((await RunAsync(_cluster.FenceOneStaleBroker, commit: true, cancellationToken).ConfigureAwait(false)).Response is { } brokerId)
        {
            fenced.Add(brokerId);
        }

        return fenced;
    }

    private ControllerResult<TResponse> Decide<TResponse>(MetadataImage state, Func<ReplicationControl, TResponse> decide)
    {
        var replication = new ReplicationControl(_config, state);
        var response = decide(replication);
        return new(replication.Records, response);
    }
}
