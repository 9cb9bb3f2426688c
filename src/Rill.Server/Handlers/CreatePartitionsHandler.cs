using Rill.Common;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>Raises topics' partition counts; the controller places the new partitions' replicas.</summary>
public sealed class CreatePartitionsHandler : ApiHandler<CreatePartitionsRequest>
{
    private readonly MetadataController _controller;

    public CreatePartitionsHandler(MetadataController controller)
    {
        _controller = controller;
    }

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, CreatePartitionsRequest request, CancellationToken cancellationToken)
    {
        var response = new CreatePartitionsResponse();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var duplicates = request.Topics.Where(t => !seen.Add(t.Name)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var topic in request.Topics)
        {
            var result = new CreatePartitionsResponse.CreatePartitionsTopicResult { Name = topic.Name };
            response.Results.Add(result);
            ControllerResult outcome;
            if (duplicates.Contains(topic.Name))
            {
                outcome = ControllerResult.Error(ErrorCode.InvalidRequest, $"Topic '{topic.Name}' appears more than once in the request.");
            }
            else if (topic.Assignments is { Count: > 0 })
            {
                outcome = ControllerResult.Error(ErrorCode.InvalidReplicaAssignment, "Manual replica assignment is not supported; leave assignments out.");
            }
            else
            {
                outcome = _controller.CreatePartitions(topic.Name, topic.Count, request.ValidateOnly);
            }

            result.ErrorCode = (short)outcome.ErrorCode;
            result.ErrorMessage = outcome.ErrorMessage;
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
