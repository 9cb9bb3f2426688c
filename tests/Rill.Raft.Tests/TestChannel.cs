using Rill.Protocol;

namespace Rill.Raft.Tests;

/// <summary>
/// A channel that keeps what the client sent, for a test to look at and answer by hand. Thread-safe, so that a test can
/// wait for what a running driver sends.
/// </summary>
internal sealed class TestChannel : IRaftChannel
{
    private readonly Lock _lock = new();
    private readonly List<SentRequest> _sent = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _sent.Count;
            }
        }
    }

    public void Send(int destinationId, IApiMessage request, Action<IKafkaMessage?> onResponse)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _sent.Add(new SentRequest(destinationId, request, onResponse));
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public void Clear()
    {
        lock (_lock)
        {
            _sent.Clear();
        }
    }

    /// <summary>The requests of type <typeparamref name="T"/> sent so far, removed from the channel.</summary>
    public List<(int Destination, T Request, Action<IKafkaMessage?> Respond)> Take<T>()
        where T : class
    {
        lock (_lock)
        {
            var taken = new List<(int, T, Action<IKafkaMessage?>)>();
            for (var i = 0; i < _sent.Count; i++)
            {
                if (_sent[i].Request is T request)
                {
                    taken.Add((_sent[i].Destination, request, _sent[i].OnResponse));
                    _sent.RemoveAt(i--);
                }
            }

            return taken;
        }
    }

    /// <summary>Waits until <paramref name="count"/> requests of type <typeparamref name="T"/> were sent, then takes them.</summary>
    public async Task<List<(int Destination, T Request, Action<IKafkaMessage?> Respond)>> TakeAsync<T>(int count, TimeSpan timeout)
        where T : class
    {
        using var cancellation = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_sent.Count(static s => s.Request is T) >= count)
                {
                    return Take<T>();
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellation.Token);
        }
    }

    public sealed record SentRequest(int Destination, object Request, Action<IKafkaMessage?> OnResponse);
}
