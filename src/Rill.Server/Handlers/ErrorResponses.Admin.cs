using Rill.Protocol.Messages;

namespace Rill.Server.Handlers;

/// <summary>Metadata and admin error answers: the error on every topic or resource the request named, or at the top.</summary>
public static partial class ErrorResponses
{
    private static MetadataResponse Metadata(MetadataRequest request, ApiError error)
    {
        // A request for all topics (null) names none to carry the error; Kafka answers it with no topics too.
        var response = new MetadataResponse();
        foreach (var topic in request.Topics ?? [])
        {
            response.Topics.Add(new MetadataResponse.MetadataResponseTopic
            {
                Name = topic.Name ?? string.Empty,
                TopicId = topic.TopicId,
                ErrorCode = (short)error.Code,
                IsInternal = false,
            });
        }

        return response;
    }

    private static ApiVersionsResponse ApiVersions(ApiError error) => new() { ErrorCode = (short)error.Code };

    private static CreateTopicsResponse CreateTopics(CreateTopicsRequest request, ApiError error)
    {
        var response = new CreateTopicsResponse();
        foreach (var topic in request.Topics)
        {
            response.Topics.Add(new CreateTopicsResponse.CreatableTopicResult
            {
                Name = topic.Name,
                ErrorCode = (short)error.Code,
                ErrorMessage = error.Message,
            });
        }

        return response;
    }

    private static DeleteTopicsResponse DeleteTopics(DeleteTopicsRequest request, short version, ApiError error)
    {
        var response = new DeleteTopicsResponse();
        if (version >= 6)
        {
            foreach (var topic in request.Topics)
            {
                response.Responses.Add(new DeleteTopicsResponse.DeletableTopicResult { Name = topic.Name, TopicId = topic.TopicId, ErrorCode = (short)error.Code });
            }
        }
        else
        {
            foreach (var name in request.TopicNames)
            {
                response.Responses.Add(new DeleteTopicsResponse.DeletableTopicResult { Name = name, ErrorCode = (short)error.Code });
            }
        }

        return response;
    }

    private static CreatePartitionsResponse CreatePartitions(CreatePartitionsRequest request, ApiError error)
    {
        var response = new CreatePartitionsResponse();
        foreach (var topic in request.Topics)
        {
            response.Results.Add(new CreatePartitionsResponse.CreatePartitionsTopicResult
            {
                Name = topic.Name,
                ErrorCode = (short)error.Code,
                ErrorMessage = error.Message,
            });
        }

        return response;
    }

    private static DescribeConfigsResponse DescribeConfigs(DescribeConfigsRequest request, ApiError error)
    {
        var response = new DescribeConfigsResponse();
        foreach (var resource in request.Resources)
        {
            response.Results.Add(new DescribeConfigsResponse.DescribeConfigsResult
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
                ErrorCode = (short)error.Code,
                ErrorMessage = error.Description,
            });
        }

        return response;
    }

    private static AlterConfigsResponse AlterConfigs(AlterConfigsRequest request, ApiError error)
    {
        var response = new AlterConfigsResponse();
        foreach (var resource in request.Resources)
        {
            response.Responses.Add(new AlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
                ErrorCode = (short)error.Code,
                ErrorMessage = error.Message,
            });
        }

        return response;
    }

    private static IncrementalAlterConfigsResponse IncrementalAlterConfigs(IncrementalAlterConfigsRequest request, ApiError error)
    {
        var response = new IncrementalAlterConfigsResponse();
        foreach (var resource in request.Resources)
        {
            response.Responses.Add(new IncrementalAlterConfigsResponse.AlterConfigsResourceResponse
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
                ErrorCode = (short)error.Code,
                ErrorMessage = error.Message,
            });
        }

        return response;
    }

    private static DescribeClusterResponse DescribeCluster(ApiError error) =>
        new() { ErrorCode = (short)error.Code, ErrorMessage = error.Message };

    // v0-v2 have no top-level code, so there the error shows only as a response listing no log dirs, as in Kafka.
    private static DescribeLogDirsResponse DescribeLogDirs(ApiError error) => new() { ErrorCode = (short)error.Code };
}
