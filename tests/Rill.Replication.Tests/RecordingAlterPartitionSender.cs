using System.Collections.Concurrent;
using Rill.Protocol.Messages;

namespace Rill.Replication.Tests;

/// <summary>
/// Stands in for the controller's AlterPartition: keeps every request, and answers with <see cref="Answer"/>; by default
/// it accepts the change, with the ISR asked for and the partition epoch one higher, as the controller does.
/// </summary>
internal sealed class RecordingAlterPartitionSender : IAlterPartitionSender
{
    private readonly ConcurrentQueue<AlterPartitionRequest> _requests = new();

    public IReadOnlyCollection<AlterPartitionRequest> Requests => _requests;

    public Func<AlterPartitionRequest, AlterPartitionResponse> Answer { get; set; } = Accept;

    public Task<AlterPartitionResponse> SendAsync(AlterPartitionRequest request, CancellationToken cancellationToken)
    {
        _requests.Enqueue(request);
        return Task.FromResult(Answer(request));
    }

    public static AlterPartitionResponse Accept(AlterPartitionRequest request)
    {
        var response = new AlterPartitionResponse();
        foreach (var topic in request.Topics)
        {
            var topicResponse = new AlterPartitionResponse.TopicData { TopicId = topic.TopicId };
            foreach (var partition in topic.Partitions)
            {
                topicResponse.Partitions.Add(new AlterPartitionResponse.PartitionData
                {
                    PartitionIndex = partition.PartitionIndex,
                    LeaderId = request.BrokerId,
                    LeaderEpoch = partition.LeaderEpoch,
                    Isr = [.. partition.NewIsrWithEpochs.Select(b => b.BrokerId)],
                    PartitionEpoch = partition.PartitionEpoch + 1,
                });
            }

            response.Topics.Add(topicResponse);
        }

        return response;
    }
}
