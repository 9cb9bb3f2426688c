using Rill.Protocol.Messages;

namespace Rill.Server.Handlers;

/// <summary>Error answers of the cluster APIs the controller decides: the error on every partition named, and at the top.</summary>
public static partial class ErrorResponses
{
    private static ElectLeadersResponse ElectLeaders(ElectLeadersRequest request, ApiError error)
    {
        var response = new ElectLeadersResponse { ErrorCode = (short)error.Code };
        foreach (var topic in request.TopicPartitions ?? [])
        {
            response.ReplicaElectionResults.Add(new ElectLeadersResponse.ReplicaElectionResult
            {
                Topic = topic.Topic,
                PartitionResult = [.. topic.Partitions.Select(partition => new ElectLeadersResponse.PartitionResult
                {
                    PartitionId = partition,
                    ErrorCode = (short)error.Code,
                    ErrorMessage = error.Message,
                })],
            });
        }

        return response;
    }

    private static AlterPartitionReassignmentsResponse AlterPartitionReassignments(AlterPartitionReassignmentsRequest request, ApiError error) => new()
    {
        ErrorCode = (short)error.Code,
        ErrorMessage = error.Message,
        Responses = [.. request.Topics.Select(topic => new AlterPartitionReassignmentsResponse.ReassignableTopicResponse
        {
            Name = topic.Name,
            Partitions = [.. topic.Partitions.Select(partition => new AlterPartitionReassignmentsResponse.ReassignablePartitionResponse
            {
                PartitionIndex = partition.PartitionIndex,
                ErrorCode = (short)error.Code,
                ErrorMessage = error.Message,
            })],
        })],
    };
}
