using Confluent.Kafka;

namespace Rill.Cli.Perf.Librdkafka;

/// <summary>
/// <c>rill perf consume</c> on Confluent.Kafka: <c>--consumers</c> consumers side by side, each on its own thread
/// (Consume blocks). Without <c>--group</c> the partitions are dealt out and assigned from their earliest offsets;
/// with it the consumers subscribe and the group splits the partitions (offsets are auto-committed as any group
/// consumer does). Keys and values are measured, not copied.
/// </summary>
internal static class ConfluentConsumeDriver
{
    private static readonly TimeSpan PollWait = TimeSpan.FromMilliseconds(100);

    public static async Task<PerfRun> RunAsync(
        CliContext context,
        ConsumeSettings settings,
        IReadOnlyList<int> partitions,
        IReadOnlyDictionary<int, long> starts,
        IReadOnlyDictionary<int, long> ends,
        PerfCounters counters,
        CancellationToken cancellationToken)
    {
        var timeProvider = context.Console.TimeProvider;
        var untilEnd = settings.Records is null;
        var partitionsLeft = untilEnd ? partitions.Count(p => starts[p] < ends[p]) : 0;
        var consumerCount = settings.Group is null ? Math.Min(settings.Consumers, partitions.Count) : settings.Consumers;
        KafkaNative.EnsureLoaded();
        var consumers = new List<IConsumer<int, int>>();
        var done = new int[partitions.Max() + 1];
        foreach (var partition in partitions)
        {
            // An empty partition is done before it starts (its end-of-partition event must not count again).
            done[partition] = untilEnd && starts[partition] >= ends[partition] ? 1 : 0;
        }

        try
        {
            for (var i = 0; i < consumerCount; i++)
            {
                consumers.Add(Build(context, settings, untilEnd));
            }

            var started = timeProvider.GetTimestamp();
            var progress = new ConsumeProgress(settings.Records, partitionsLeft, counters, timeProvider);
            var loops = new Task[consumers.Count];
            for (var i = 0; i < consumers.Count; i++)
            {
                var consumer = consumers[i];
                if (settings.Group is null)
                {
                    var index = i;
                    consumer.Assign(partitions.Where((_, position) => position % consumerCount == index).Select(p => new TopicPartitionOffset(settings.Topic, p, new Offset(starts[p]))));
                }
                else
                {
                    consumer.Subscribe(settings.Topic);
                }

                loops[i] = Task.Run(() => ConsumeLoop(consumer, settings.Topic, untilEnd ? ends : null, done, progress), CancellationToken.None);
            }

            try
            {
                await progress.WaitAsync(settings.IdleTimeout, cancellationToken);
            }
            finally
            {
                // The loops watch the same progress; make sure they stop even when the wait was cancelled.
                progress.Stop();
                await Task.WhenAll(loops);
            }

            var finished = counters.FirstError is null ? timeProvider.GetTimestamp() : progress.LastProgress;
            return new PerfRun(counters.Records, counters.Failed, counters.Bytes, timeProvider.GetElapsedTime(started, finished), Latency: null, counters.FirstError, Connections: null);
        }
        finally
        {
            foreach (var consumer in consumers)
            {
                if (settings.Group is not null)
                {
                    consumer.Close();
                }

                consumer.Dispose();
            }
        }
    }

    private static IConsumer<int, int> Build(CliContext context, ConsumeSettings settings, bool untilEnd)
    {
        var config = context.Configure(new ConsumerConfig
        {
            // Confluent.Kafka wants a group id even to assign; a throwaway one never joins or commits.
            GroupId = settings.Group ?? $"rill-perf-{Guid.NewGuid():N}",
            EnableAutoCommit = settings.Group is not null,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = untilEnd,
            AllowAutoCreateTopics = false,
            FetchMinBytes = settings.FetchMinBytes,
            FetchMaxBytes = settings.FetchMaxBytes,
            FetchWaitMaxMs = settings.FetchMaxWaitMs,
            MaxPartitionFetchBytes = settings.PartitionMaxBytes,
            // A deep prefetch queue: with librdkafka's defaults (100000 messages, 64 MiB) the fetcher idles while
            // the application drains, and a 100-byte-record topic is read at a quarter of the speed.
            // Only partition, offset, key and value are read here: marshaling the topic name, timestamp and headers of
            // every record is work the broker's figure should not wait on (~25% more records/s).
            ConsumeResultFields = "none",
            QueuedMinMessages = 1_000_000,
            QueuedMaxMessagesKbytes = 262_144,
            // librdkafka insists on message.max.bytes <= fetch.max.bytes and on room for a whole response.
            MessageMaxBytes = Math.Min(1_000_000, settings.FetchMaxBytes),
            ReceiveMessageMaxBytes = Math.Max(100_000_000, settings.FetchMaxBytes + 512),
        });
        return new ConsumerBuilder<int, int>(config)
            .SetKeyDeserializer(LengthDeserializer.Instance)
            .SetValueDeserializer(LengthDeserializer.Instance)
            .SetErrorHandler((_, error) => context.Diagnose(error))
            .SetLogHandler((_, log) => context.Diagnose(log))
            .Build();
    }

    /// <param name="ends">Without --records: each partition's end offset at the start; records from there on are not counted.</param>
    private static void ConsumeLoop(IConsumer<int, int> consumer, string topic, IReadOnlyDictionary<int, long>? ends, int[] done, ConsumeProgress progress)
    {
        while (!progress.IsFinished)
        {
            ConsumeResult<int, int>? result;
            try
            {
                result = consumer.Consume(PollWait);
            }
            catch (ConsumeException exception)
            {
                var error = exception.Error;
                progress.Fail(error.Code is ErrorCode.UnknownTopicOrPart ? $"topic '{topic}' does not exist" : KafkaErrors.Reason(error));
                return;
            }

            if (result is null)
            {
                continue;
            }

            var partition = result.Partition.Value;
            if (ends is null)
            {
                progress.TryCountRecord((long)result.Message.Key + result.Message.Value);
                continue;
            }

            if (!result.IsPartitionEOF && result.Offset.Value < ends[partition])
            {
                progress.TryCountRecord((long)result.Message.Key + result.Message.Value);
            }

            if ((result.IsPartitionEOF || result.Offset.Value + 1 >= ends[partition]) && Interlocked.Exchange(ref done[partition], 1) == 0)
            {
                progress.OnPartitionDone();
            }
        }
    }
}
