using System.Threading.Channels;

namespace Rill.Client.Tests;

/// <summary>Records what the read loop hands a handler, in order, for the test to await.</summary>
internal sealed class RecordingHandler : IResponseHandler
{
    private readonly Channel<Outcome> _outcomes = Channel.CreateUnbounded<Outcome>();

    public void OnResponse(in PendingRequest request, ReadOnlyMemory<byte> body) =>
        _outcomes.Writer.TryWrite(new Outcome(request, body.ToArray(), null));

    public void OnFailure(in PendingRequest request, Exception failure) =>
        _outcomes.Writer.TryWrite(new Outcome(request, null, failure));

    public async Task<Outcome> NextAsync() => await _outcomes.Reader.ReadAsync().AsTask().WaitAsync(FakeBroker.Timeout);

    public bool TryNext(out Outcome outcome) => _outcomes.Reader.TryRead(out outcome!);

    internal sealed record Outcome(PendingRequest Request, byte[]? Body, Exception? Failure);
}
