using Rill.Protocol;

namespace Rill.Raft.Tests;

/// <summary>A channel that keeps what the client sent, for a test to look at and answer by hand.</summary>
internal sealed class TestChannel : IRaftChannel
{
    public List<SentRequest> Sent { get; } = [];

    public void Send(int destinationId, IApiMessage request, Action<IKafkaMessage?> onResponse) =>
        Sent.Add(new SentRequest(destinationId, request, onResponse));

    /// <summary>The requests of type <typeparamref name="T"/> sent since the last call, removed from <see cref="Sent"/>.</summary>
    public List<(int Destination, T Request, Action<IKafkaMessage?> Respond)> Take<T>()
        where T : class
    {
        var taken = new List<(int, T, Action<IKafkaMessage?>)>();
        for (var i = 0; i < Sent.Count; i++)
        {
            if (Sent[i].Request is T request)
            {
                taken.Add((Sent[i].Destination, request, Sent[i].OnResponse));
                Sent.RemoveAt(i--);
            }
        }

        return taken;
    }

    public sealed record SentRequest(int Destination, object Request, Action<IKafkaMessage?> OnResponse);
}
