using Rill.Common;

namespace Rill.Metadata;

/// <summary>What a controller operation did: an error code (None on success), a message for the client, and the topic it touched.</summary>
public sealed record ControllerResult(ErrorCode ErrorCode, string? ErrorMessage, TopicImage? Topic)
{
    public static ControllerResult Error(ErrorCode code, string message) => new(code, message, null);
}
