using Rill.Common;
using Rill.Config;
using Rill.Protocol.Messages;
using Rill.Replication;
using Rill.Server.Network;

namespace Rill.Server.Handlers;

/// <summary>The broker's log directories with the size of each partition in them, and (v4) their disk space.</summary>
public sealed class DescribeLogDirsHandler : ApiHandler<DescribeLogDirsRequest>
{
    private const short MinimumVersion = 1;

    private readonly ReplicaManager _replicas;
    private readonly ServerConfig _config;

    public DescribeLogDirsHandler(ReplicaManager replicas, ServerConfig config)
    {
        _replicas = replicas;
        _config = config;
    }

    public override short MinVersion => MinimumVersion;

    protected override ValueTask<ApiResponse> HandleAsync(RequestContext context, DescribeLogDirsRequest request, CancellationToken cancellationToken)
    {
        HashSet<TopicPartition>? wanted = request.Topics is null
            ? null
            : [.. request.Topics.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p)))];
        var response = new DescribeLogDirsResponse();
        foreach (var dir in _config.LogDirs)
        {
            var fullDir = Path.GetFullPath(dir);
            var result = new DescribeLogDirsResponse.DescribeLogDirsResult { LogDir = fullDir };
            var drive = new DriveInfo(fullDir);
            result.TotalBytes = drive.TotalSize;
            result.UsableBytes = drive.AvailableFreeSpace;
            var partitions = _replicas.Partitions
                .Where(p => Path.GetFullPath(p.LogDir) == fullDir && (wanted is null || wanted.Contains(p.TopicPartition)))
                .GroupBy(p => p.TopicPartition.Topic)
                .OrderBy(g => g.Key, StringComparer.Ordinal);
            foreach (var topic in partitions)
            {
                var topicResult = new DescribeLogDirsResponse.DescribeLogDirsTopic { Name = topic.Key };
                foreach (var partition in topic.OrderBy(p => p.TopicPartition.Partition))
                {
                    topicResult.Partitions.Add(new DescribeLogDirsResponse.DescribeLogDirsPartition
                    {
                        PartitionIndex = partition.TopicPartition.Partition,
                        PartitionSize = partition.SizeInBytes,
                        OffsetLag = 0,
                    });
                }

                result.Topics.Add(topicResult);
            }

            response.Results.Add(result);
        }

        return ValueTask.FromResult(ApiResponse.Of(response));
    }
}
