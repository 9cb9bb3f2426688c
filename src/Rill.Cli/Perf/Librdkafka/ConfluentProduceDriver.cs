using Confluent.Kafka.Admin;

namespace Rill.Cli.Perf.Librdkafka;

/// <summary>
/// <c>rill perf produce</c> on Confluent.Kafka: <c>--producers</c> producers side by side, each with its share of the
/// records and the rate. With <c>--report-every</c> above 1 most records get no delivery report, so the records
/// written are the growth of the partitions' end offsets over the run, and those sent but not there are failures.
/// </summary>
internal static class ConfluentProduceDriver
{
    /// <summary>Record framing per record besides key and value, to size the sticky runs like librdkafka's batches.</summary>
    private const int RecordOverhead = 10;

    private static readonly TimeSpan EndOffsetPollInterval = TimeSpan.FromMilliseconds(50);

    public static async Task<PerfRun> RunAsync(CliContext context, ProduceSettings settings, IReadOnlyList<int> partitions, PerfCounters counters, CancellationToken cancellationToken)
    {
        var timeProvider = context.Console.TimeProvider;
        var value = PerfPayload.Value(settings.RecordSize);
        var keys = PerfPayload.Keys(settings.Keys, settings.KeyCount);
        var recordsPerBatch = Math.Max(1, settings.BatchSize / (settings.RecordSize + (keys?[0].Length ?? 0) + RecordOverhead));
        var quotas = settings.Records is { } records ? Native.ConnectionPlan.Split(records, [.. Enumerable.Repeat(1, settings.Producers)]) : null;
        var producers = new List<ConfluentProducer>();
        using var admin = settings.ReportEvery > 1 ? await ClusterAdmin.ConnectAsync(context, cancellationToken) : null;
        var endsBefore = admin is null ? null : await PerfTopic.OffsetsAsync(admin, settings.Topic, partitions, OffsetSpec.Latest());
        try
        {
            for (var i = 0; i < settings.Producers; i++)
            {
                producers.Add(new ConfluentProducer(context, settings, partitions, value, keys, recordsPerBatch, i, counters));
            }

            var started = timeProvider.GetTimestamp();
            var runs = new Task<long>[producers.Count];
            for (var i = 0; i < producers.Count; i++)
            {
                var producer = producers[i];
                var quota = quotas?[i];
                var limiter = RateLimiter.Create((double)settings.Throughput / settings.Producers, timeProvider);
                runs[i] = Task.Run(() => producer.RunAsync(quota, settings.Duration, limiter, cancellationToken), CancellationToken.None);
            }

            var sent = (await Task.WhenAll(runs)).Sum();
            var elapsed = timeProvider.GetElapsedTime(started);
            var latency = new LatencyHistogram();
            foreach (var producer in producers)
            {
                latency.Add(producer.Latency);
            }

            if (admin is null || endsBefore is null)
            {
                return new PerfRun(counters.Records, counters.Failed, counters.Bytes, elapsed, latency, counters.FirstError, Connections: null);
            }

            var written = await WrittenAsync(admin, settings.Topic, partitions, endsBefore, sent, context, cancellationToken);
            var missing = sent - written;
            var error = counters.FirstError ?? (missing > 0 ? $"{missing} records sent are not in the topic's partitions" : null);
            return new PerfRun(written, counters.Failed + missing, written * settings.RecordSize, elapsed, latency, error, Connections: null);
        }
        finally
        {
            foreach (var producer in producers)
            {
                producer.Dispose();
            }
        }
    }

    /// <summary>
    /// Records the partitions' end offsets grew by, waiting (up to <c>--timeout</c>) for them to reach
    /// <paramref name="sent"/>: with acks=0 the last requests may still be on their way when librdkafka is done with
    /// them, and with acks=1 the high watermark of a replicated partition follows the leader's log by a fetch.
    /// </summary>
    private static async Task<long> WrittenAsync(
        ClusterAdmin admin, string topic, IReadOnlyList<int> partitions, Dictionary<int, long> endsBefore, long sent, CliContext context, CancellationToken cancellationToken)
    {
        var timeProvider = context.Console.TimeProvider;
        var started = timeProvider.GetTimestamp();
        while (true)
        {
            var endsAfter = await PerfTopic.OffsetsAsync(admin, topic, partitions, OffsetSpec.Latest());
            var written = Math.Min(sent, partitions.Sum(p => endsAfter[p] - endsBefore[p]));
            if (written == sent || timeProvider.GetElapsedTime(started) >= context.Timeout)
            {
                return written;
            }

            await Task.Delay(EndOffsetPollInterval, timeProvider, cancellationToken);
        }
    }
}
