using Rill.Client;
using Rill.Protocol.Messages;

namespace Rill.Cli.Perf.Native;

/// <summary>
/// <c>rill perf consume --driver native</c>: Fetch requests straight on the protocol, pipelined per set of
/// partitions on connections to each leader, records counted from batch headers. Reads from the earliest offsets
/// to the end offsets of the start, or until <c>--records</c>.
/// </summary>
internal static class NativeConsumeDriver
{
    /// <summary>The first Fetch version that names topics by id instead of name.</summary>
    private const short FirstTopicIdVersion = 13;

    public static async Task<PerfRun> RunAsync(
        CliContext context,
        ConsumeSettings settings,
        IReadOnlyDictionary<int, long> starts,
        IReadOnlyDictionary<int, long> ends,
        PerfCounters counters,
        CancellationToken cancellationToken)
    {
        var timeProvider = context.Console.TimeProvider;
        var metadata = await NativeMetadata.LoadAsync(context, settings.Topic, cancellationToken);
        var plan = ConnectionPlan.Make(metadata.Partitions, settings.Connections);
        var states = metadata.Partitions.ToDictionary(
            p => p.Partition,
            p => new PartitionState(p.Partition, starts[p.Partition], settings.Records is null ? ends[p.Partition] : long.MaxValue));

        var fetchers = new List<NativeFetcher>();
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var connections = new List<(KafkaConnection Connection, short Version, List<PartitionLeader> Partitions)>();
            try
            {
                foreach (var (leaderId, partitions) in plan)
                {
                    var connection = await metadata.ConnectAsync(context, leaderId, settings.InFlight, cancellationToken);
                    connections.Add((connection, FetchVersion(connection, metadata), partitions));
                }
            }
            catch
            {
                foreach (var (connection, _, _) in connections)
                {
                    await connection.DisposeAsync();
                }

                throw;
            }

            var started = timeProvider.GetTimestamp();
            var progress = new ConsumeProgress(settings.Records, states.Values.Count(s => !s.Done), counters, timeProvider);
            foreach (var (connection, version, partitions) in connections)
            {
                fetchers.Add(new NativeFetcher(connection, version, metadata, settings, [.. partitions.Select(p => states[p.Partition])], progress));
            }

            foreach (var fetcher in fetchers)
            {
                fetcher.Start(stopping.Token);
            }

            await progress.WaitAsync(settings.IdleTimeout, cancellationToken);
            var finished = counters.FirstError is null ? timeProvider.GetTimestamp() : progress.LastProgress;
            var elapsed = timeProvider.GetElapsedTime(started, finished);
            return new PerfRun(counters.Records, counters.Failed, counters.Bytes, elapsed, Latency: null, counters.FirstError, fetchers.Count);
        }
        finally
        {
            await stopping.CancelAsync();
            foreach (var fetcher in fetchers)
            {
                await fetcher.DisposeAsync();
            }
        }
    }

    private static short FetchVersion(KafkaConnection connection, NativeMetadata metadata)
    {
        // Fetch v13+ names the topic by id; a broker that gives no topic id gets v12 (librdkafka does the same).
        var highest = metadata.TopicId == Rill.Common.Uuid.Zero ? (short)(FirstTopicIdVersion - 1) : FetchRequest.HighestSupportedVersion;
        if (!connection.Versions.TryNegotiate(ApiKey.Fetch, 4, highest, out var version))
        {
            throw CliException.Failed($"{connection.Endpoint} does not support Fetch v4 or later (record batches of magic 2)");
        }

        return version;
    }
}
