using Rill.Protocol.Messages;

namespace Rill.Protocol;

/// <summary>
/// Implemented by every generated request and response, so a generic handler can ask a message
/// type for its api key and the version range the schema defines (not what Rill advertises).
/// </summary>
public interface IApiMessage
{
    static abstract ApiKey ApiKey { get; }

    static abstract short LowestSupportedVersion { get; }

    static abstract short HighestSupportedVersion { get; }
}
