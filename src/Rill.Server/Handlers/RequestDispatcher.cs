using Rill.Protocol.Messages;

namespace Rill.Server.Handlers;

/// <summary>
/// The handlers by api key. ApiVersions answers from this same registry, so the broker advertises exactly
/// the APIs and versions it serves; a caller may bring an ApiVersions handler of its own (tests do, to make it fail).
/// </summary>
public sealed class RequestDispatcher
{
    private readonly IApiHandler?[] _handlers;

    public RequestDispatcher(IEnumerable<IApiHandler> handlers)
    {
        var list = handlers.ToList();
        if (!list.Exists(handler => handler.ApiKey == ApiKey.ApiVersions))
        {
            list.Add(new ApiVersionsHandler(this));
        }

        _handlers = new IApiHandler?[list.Max(h => (int)h.ApiKey) + 1];
        foreach (var handler in list)
        {
            if (_handlers[(int)handler.ApiKey] is not null)
            {
                throw new ArgumentException($"Two handlers are registered for {handler.ApiKey}.", nameof(handlers));
            }

            _handlers[(int)handler.ApiKey] = handler;
        }
    }

    /// <summary>Registered handlers in api-key order.</summary>
    public IEnumerable<IApiHandler> Handlers => _handlers.OfType<IApiHandler>();

    public IApiHandler? Find(ApiKey apiKey) =>
        (uint)apiKey < (uint)_handlers.Length ? _handlers[(int)apiKey] : null;
}
