namespace Rill.Cli.Perf.Librdkafka;

/// <summary><c>rill perf produce</c> on Confluent.Kafka: <c>--producers</c> producers side by side, each with its share of the records and the rate.</summary>
internal static class ConfluentProduceDriver
{
    /// <summary>Record framing per record besides key and value, to size the sticky runs like librdkafka's batches.</summary>
    private const int RecordOverhead = 10;

    public static async Task<PerfRun> RunAsync(CliContext context, ProduceSettings settings, IReadOnlyList<int> partitions, PerfCounters counters, CancellationToken cancellationToken)
    {
        var timeProvider = context.Console.TimeProvider;
        var value = PerfPayload.Value(settings.RecordSize);
        var keys = PerfPayload.Keys(settings.Keys, settings.KeyCount);
        var recordsPerBatch = Math.Max(1, settings.BatchSize / (settings.RecordSize + (keys?[0].Length ?? 0) + RecordOverhead));
        var quotas = settings.Records is { } records ? Native.ConnectionPlan.Split(records, [.. Enumerable.Repeat(1, settings.Producers)]) : null;
        var producers = new List<ConfluentProducer>();
        try
        {
            for (var i = 0; i < settings.Producers; i++)
            {
                producers.Add(new ConfluentProducer(context, settings, partitions, value, keys, recordsPerBatch, i, counters));
            }

            var started = timeProvider.GetTimestamp();
            var runs = new Task[producers.Count];
            for (var i = 0; i < producers.Count; i++)
            {
                var producer = producers[i];
                var quota = quotas?[i];
                var limiter = RateLimiter.Create((double)settings.Throughput / settings.Producers, timeProvider);
                runs[i] = Task.Run(() => producer.RunAsync(quota, settings.Duration, limiter, cancellationToken), CancellationToken.None);
            }

            await Task.WhenAll(runs);
            var elapsed = timeProvider.GetElapsedTime(started);
            var latency = new LatencyHistogram();
            foreach (var producer in producers)
            {
                latency.Add(producer.Latency);
            }

            return new PerfRun(counters.Records, counters.Failed, counters.Bytes, elapsed, latency, counters.FirstError, Connections: null);
        }
        finally
        {
            foreach (var producer in producers)
            {
                producer.Dispose();
            }
        }
    }
}
