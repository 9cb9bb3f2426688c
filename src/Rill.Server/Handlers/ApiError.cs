using Rill.Common;

namespace Rill.Server.Handlers;

/// <summary>
/// The error a failed request is answered with: its code, and the message for the response's error-message fields.
/// As Kafka's <c>ApiError.fromThrowable</c>: a <see cref="KafkaException"/> keeps its code and message; anything
/// else is <see cref="ErrorCode.UnknownServerError"/> with no message, so internals never reach the client.
/// </summary>
public readonly record struct ApiError(ErrorCode Code, string? Message)
{
    /// <summary>Kafka's description of UNKNOWN_SERVER_ERROR, for the fields where Kafka sends the code's description.</summary>
    public const string UnknownServerErrorDescription = "The server experienced an unexpected error when processing the request.";

    /// <summary>The message, or for UNKNOWN_SERVER_ERROR Kafka's description of it (Kafka's <c>Errors.message()</c>).</summary>
    public string Description => Message ?? UnknownServerErrorDescription;

    public static ApiError FromException(Exception exception) => exception is KafkaException known
        ? new ApiError(known.ErrorCode, known.Message)
        : new ApiError(ErrorCode.UnknownServerError, Message: null);
}
