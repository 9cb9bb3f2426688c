using Rill.Common;
using Rill.Metadata;
using Rill.Protocol.Messages;
using Rill.Replication;
using Rill.Server.Network;
using Rill.Server.Observability;
using Rill.Storage;

namespace Rill.Server.Handlers;

/// <summary>
/// Reads whole record batches from the partition logs, up to the high watermark and the request's byte
/// limits, and waits up to <c>max.wait.ms</c> for <c>min.bytes</c>, woken by appends rather than a timer.
/// Rill keeps no incremental fetch sessions: every answer carries session id 0, which clients take as
/// "no session" and keep sending full fetches (KIP-227 allows this).
/// </summary>
public sealed class FetchHandler : ApiHandler<FetchRequest>
{
    private const short MinimumVersion = 4;
    private const int InitialSessionEpoch = 0;
    private const int FinalSessionEpoch = -1;

    private readonly IMetadataView _controller;
    private readonly ReplicaManager _replicas;
    private readonly TimeProvider _time;
    private readonly TopicMetrics _metrics;

    public FetchHandler(IMetadataView controller, ReplicaManager replicas, TimeProvider time, TopicMetrics metrics)
    {
        _controller = controller;
        _replicas = replicas;
        _time = time;
        _metrics = metrics;
    }

    public override short MinVersion => MinimumVersion;

    protected override async ValueTask<ApiResponse> HandleAsync(RequestContext context, FetchRequest request, CancellationToken cancellationToken)
    {
        var version = context.ApiVersion;
        if (version >= 7 && request.SessionEpoch is not (InitialSessionEpoch or FinalSessionEpoch))
        {
            return ApiResponse.Of(new FetchResponse { ErrorCode = (short)ErrorCode.FetchSessionIdNotFound });
        }

        var readCommitted = request.IsolationLevel == 1;
        var maxBytes = version >= 3 ? request.MaxBytes : int.MaxValue;
        var started = _time.GetTimestamp();
        while (true)
        {
            var image = _controller.Image;
            var wakeUps = new List<Task>();
            var reads = new ReadResources();
            var response = new FetchResponse();
            var totalBytes = ReadAll(request, version, image, readCommitted, maxBytes, response, reads, wakeUps, out var anyError);
            var remaining = TimeSpan.FromMilliseconds(request.MaxWaitMs) - _time.GetElapsedTime(started);
            if (totalBytes >= request.MinBytes || anyError || remaining <= TimeSpan.Zero || wakeUps.Count == 0)
            {
                CountFetched(request, version, image, response);
                return ApiResponse.Of(response, reads);
            }

            reads.Dispose();
            using var waitEnd = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wakeUps.Add(Task.Delay(remaining, _time, waitEnd.Token));
            await Task.WhenAny(wakeUps);
            await waitEnd.CancelAsync();
        }
    }

    private int ReadAll(
        FetchRequest request,
        short version,
        MetadataImage image,
        bool readCommitted,
        int maxBytes,
        FetchResponse response,
        ReadResources reads,
        List<Task> wakeUps,
        out bool anyError)
    {
        anyError = false;
        var totalBytes = 0;
        foreach (var topic in request.Topics)
        {
            var name = TopicName(topic, version, image);
            var topicResponse = new FetchResponse.FetchableTopicResponse { Topic = topic.Topic, TopicId = topic.TopicId };
            response.Responses.Add(topicResponse);
            foreach (var fetch in topic.Partitions)
            {
                var data = new FetchResponse.PartitionData
                {
                    PartitionIndex = fetch.Partition,
                    Records = ReadOnlyMemory<byte>.Empty,
                    AbortedTransactions = readCommitted ? [] : null,
                };
                topicResponse.Partitions.Add(data);
                var error = ReadPartition(name, fetch, image, readCommitted, maxBytes - totalBytes, totalBytes == 0, data, reads, wakeUps, version);
                if (error != ErrorCode.None)
                {
                    anyError = true;
                    data.ErrorCode = (short)error;
                    data.HighWatermark = -1;
                    data.LastStableOffset = -1;
                    data.LogStartOffset = -1;
                    data.Records = ReadOnlyMemory<byte>.Empty;
                    continue;
                }

                totalBytes += data.Records!.Value.Length;
            }
        }

        return totalBytes;
    }

    /// <summary>The topic's name: v13+ names topics by id; null for an id the metadata does not know.</summary>
    private static string? TopicName(FetchRequest.FetchTopic topic, short version, MetadataImage image)
    {
        if (version < 13)
        {
            return topic.Topic;
        }

        return image.TopicNamesById.TryGetValue(topic.TopicId, out var name) ? name : null;
    }

    /// <summary>Counts the record bytes of the answer being sent (the response's topics follow the request's, one for one).</summary>
    private void CountFetched(FetchRequest request, short version, MetadataImage image, FetchResponse response)
    {
        for (var i = 0; i < response.Responses.Count; i++)
        {
            var name = TopicName(request.Topics[i], version, image);
            if (name is null)
            {
                continue;
            }

            foreach (var partition in response.Responses[i].Partitions)
            {
                _metrics.Fetched(name, partition.Records.GetValueOrDefault().Span);
            }
        }
    }

    private ErrorCode ReadPartition(
        string? topic,
        FetchRequest.FetchPartition fetch,
        MetadataImage image,
        bool readCommitted,
        int bytesLeft,
        bool firstData,
        FetchResponse.PartitionData data,
        ReadResources reads,
        List<Task> wakeUps,
        short version)
    {
        if (topic is null)
        {
            return ErrorCode.UnknownTopicId;
        }

        var lookup = _replicas.GetLeaderPartition(image, new TopicPartition(topic, fetch.Partition), out var partition);
        if (lookup != ErrorCode.None)
        {
            return lookup;
        }

        if (version >= 9 && fetch.CurrentLeaderEpoch != -1 && fetch.CurrentLeaderEpoch != partition!.LeaderEpoch)
        {
            return fetch.CurrentLeaderEpoch < partition.LeaderEpoch ? ErrorCode.FencedLeaderEpoch : ErrorCode.UnknownLeaderEpoch;
        }

        // Take the wake-up before reading, so an append landing between the read and the wait is not missed.
        wakeUps.Add(partition!.NextAppend());
        var log = partition.Log;
        var highWatermark = partition.HighWatermark;
        data.HighWatermark = highWatermark;
        data.LastStableOffset = highWatermark;
        data.LogStartOffset = log.LogStartOffset;
        var limit = Math.Min(fetch.PartitionMaxBytes, Math.Max(bytesLeft, 0));
        if (limit == 0 && !firstData)
        {
            return ErrorCode.None;
        }

        var read = log.Read(fetch.FetchOffset, limit, highWatermark, minOneBatch: firstData);
        if (read.ErrorCode != ErrorCode.None)
        {
            read.Dispose();
            return read.ErrorCode;
        }

        reads.Add(read);
        data.Records = read.Records;
        return ErrorCode.None;
    }

    /// <summary>The pooled buffers one answer points into, released together once it is written.</summary>
    private sealed class ReadResources : IDisposable
    {
        private readonly List<IDisposable> _owned = [];

        public void Add(IDisposable resource) => _owned.Add(resource);

        public void Dispose()
        {
            foreach (var resource in _owned)
            {
                resource.Dispose();
            }

            _owned.Clear();
        }
    }
}
