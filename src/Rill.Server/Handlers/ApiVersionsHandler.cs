using System.Text.RegularExpressions;
using Rill.Common;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>
/// Tells a client which APIs and versions this broker serves, read from the dispatcher's own registry so
/// that nothing is advertised that has no handler.
/// </summary>
public sealed partial class ApiVersionsHandler : ApiHandler<ApiVersionsRequest>
{
    private readonly RequestDispatcher _dispatcher;

    public ApiVersionsHandler(RequestDispatcher dispatcher)
    {
        _dispatcher = dispatcher;
    }

    /// <summary>The KIP-511 answer to a version we do not know: v0 body, UNSUPPORTED_VERSION, and only our ApiVersions range.</summary>
    public static ApiVersionsResponse UnsupportedVersionResponse(IApiHandler handler) => new()
    {
        ErrorCode = (short)ErrorCode.UnsupportedVersion,
        ApiKeys =
        [
            new ApiVersionsResponse.ApiVersion
            {
                ApiKey = (short)handler.ApiKey,
                MinVersion = handler.MinVersion,
                MaxVersion = handler.MaxVersion,
            },
        ],
    };

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, ApiVersionsRequest request, CancellationToken cancellationToken)
    {
        if (context.ApiVersion >= 3
            && (!SoftwareNamePattern().IsMatch(request.ClientSoftwareName) || !SoftwareNamePattern().IsMatch(request.ClientSoftwareVersion)))
        {
            return ValueTask.FromResult(ApiResponse.Of(new ApiVersionsResponse { ErrorCode = (short)ErrorCode.InvalidRequest }));
        }

        var response = new ApiVersionsResponse();
        foreach (var handler in _dispatcher.Handlers)
        {
            response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion
            {
                ApiKey = (short)handler.ApiKey,
                MinVersion = handler.MinVersion,
                MaxVersion = handler.MaxVersion,
            });
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }

    // Kafka's rule for ClientSoftwareName and ClientSoftwareVersion (KIP-511).
    [GeneratedRegex("^[a-zA-Z0-9](?:[a-zA-Z0-9\\-.]*[a-zA-Z0-9])?$")]
    private static partial Regex SoftwareNamePattern();
}
