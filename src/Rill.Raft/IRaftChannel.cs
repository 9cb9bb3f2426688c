using Rill.Protocol;

namespace Rill.Raft;

/// <summary>
/// How a Raft node sends requests to the other voters (kafka: NetworkChannel): over Rill.Client to their controller
/// listeners in a real node, through the seeded scheduler in the simulation.
/// </summary>
public interface IRaftChannel
{
    /// <summary>
    /// Sends <paramref name="request"/> to node <paramref name="destinationId"/>. <paramref name="onResponse"/> runs
    /// exactly once, from any thread: with the response, or with null when the request failed or timed out.
    /// </summary>
    void Send(int destinationId, IApiMessage request, Action<IKafkaMessage?> onResponse);
}
