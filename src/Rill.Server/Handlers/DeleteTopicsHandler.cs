using Rill.Common;
using Rill.Config;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>Deletes topics by name (v0-v5) or by name or id (v6+); their logs go with the next metadata image.</summary>
public sealed class DeleteTopicsHandler : ApiHandler<DeleteTopicsRequest>
{
    private const short MinimumVersion = 1;

    private readonly MetadataController _controller;
    private readonly ServerConfig _config;

    public DeleteTopicsHandler(MetadataController controller, ServerConfig config)
    {
        _controller = controller;
        _config = config;
    }

    public override short MinVersion => MinimumVersion;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, DeleteTopicsRequest request, CancellationToken cancellationToken)
    {
        var response = new DeleteTopicsResponse();
        if (context.ApiVersion >= 6)
        {
            foreach (var topic in request.Topics)
            {
                response.Responses.Add(Delete(topic.Name, topic.TopicId));
            }
        }
        else
        {
            foreach (var name in request.TopicNames)
            {
                response.Responses.Add(Delete(name, Uuid.Zero));
            }
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }

    private DeleteTopicsResponse.DeletableTopicResult Delete(string? name, Uuid topicId)
    {
        var result = new DeleteTopicsResponse.DeletableTopicResult { Name = name, TopicId = topicId };
        if (!_config.DeleteTopicEnable)
        {
            return Fail(result, ErrorCode.TopicDeletionDisabled, "Topic deletion is disabled (delete.topic.enable=false).");
        }

        var image = _controller.Image;
        if (name is null)
        {
            if (!image.TryGetTopic(topicId, out var byId))
            {
                return Fail(result, ErrorCode.UnknownTopicId, $"No topic has id {topicId}.");
            }

            name = byId.Name;
            result.Name = name;
        }
        else if (topicId != Uuid.Zero)
        {
            return Fail(result, ErrorCode.InvalidRequest, "Name a topic by its name or by its id, not both.");
        }

        var deleted = _controller.DeleteTopic(name);
        if (deleted.ErrorCode != ErrorCode.None)
        {
            return Fail(result, deleted.ErrorCode, deleted.ErrorMessage ?? deleted.ErrorCode.ToString());
        }

        result.TopicId = deleted.Topic!.Id;
        return result;
    }

    private static DeleteTopicsResponse.DeletableTopicResult Fail(DeleteTopicsResponse.DeletableTopicResult result, ErrorCode code, string message)
    {
        result.ErrorCode = (short)code;
        result.ErrorMessage = message;
        return result;
    }
}
