using Rill.Protocol;
using Rill.Server.Handlers;
using Rill.Server.Network;

namespace Rill.Server.Tests.Network;

/// <summary>Where a <see cref="ThrowingHandler{TRequest, TResponse}"/> throws: before its first await, or in the awaited part.</summary>
public enum FailureMode
{
    Synchronous,
    Awaited,
}

/// <summary>
/// Serves one API over the given versions. Its first request throws what <c>failure</c> makes; every later one is
/// answered with an empty <typeparamref name="TResponse"/>, so a test can see the connection still serves.
/// </summary>
public sealed class ThrowingHandler<TRequest, TResponse> : ApiHandler<TRequest>
    where TRequest : IKafkaMessage<TRequest>, IApiMessage
    where TResponse : IKafkaMessage, new()
{
    private readonly short _minVersion;
    private readonly short _maxVersion;
    private readonly FailureMode _mode;
    private readonly Func<Exception> _failure;
    private int _calls;

    public ThrowingHandler(short minVersion, short maxVersion, FailureMode mode, Func<Exception> failure)
    {
        _minVersion = minVersion;
        _maxVersion = maxVersion;
        _mode = mode;
        _failure = failure;
    }

    public override short MinVersion => _minVersion;

    public override short MaxVersion => _maxVersion;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, TRequest request, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _calls) > 1)
        {
            return ValueTask.FromResult(ApiResponse.Of(new TResponse()));
        }

        return _mode == FailureMode.Synchronous ? throw _failure() : FailAfterYieldingAsync();
    }

    private async ValueTask<ApiResponse> FailAfterYieldingAsync()
    {
        // Returns to the session unfinished, so the failure surfaces where the write loop awaits the answer.
        await Task.Yield();
        throw _failure();
    }
}
