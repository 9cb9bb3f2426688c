using Confluent.Kafka;

namespace Rill.Cli.Perf.Librdkafka;

/// <summary>
/// <c>rill perf e2e</c>: one producer writes at <c>--throughput</c> (linger 0 by default) while one consumer,
/// assigned every partition from its end, reads the records back in the same process; a record's latency is the
/// consumer's monotonic clock minus the send time stamped in its value. A warm-up record goes first and is not
/// measured, so the consumer's connection setup does not count as latency.
/// </summary>
internal static class ConfluentE2eDriver
{
    private static readonly TimeSpan PollWait = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan QueueFullBackoff = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan DeliveryPollInterval = TimeSpan.FromMilliseconds(1);

    public static async Task<PerfRun> RunAsync(
        CliContext context,
        ProduceSettings settings,
        TimeSpan idleTimeout,
        IReadOnlyList<int> partitions,
        IReadOnlyDictionary<int, long> ends,
        PerfCounters counters,
        CancellationToken cancellationToken)
    {
        var timeProvider = context.Console.TimeProvider;
        var value = new E2eValue(Random.Shared.NextInt64(1, long.MaxValue), timeProvider);
        var latency = new LatencyHistogram();
        var warmedUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new ConsumeProgress(long.MaxValue, 0, counters, timeProvider);
        KafkaNative.EnsureLoaded();
        using var consumer = BuildConsumer(context, value);
        using var producer = BuildProducer(context, settings);
        consumer.Assign(partitions.Select(p => new TopicPartitionOffset(settings.Topic, p, new Offset(ends[p]))));
        var consuming = Task.Run(() => ConsumeLoop(consumer, settings, latency, warmedUp, progress), CancellationToken.None);
        try
        {
            var sender = new Sender(producer, settings, value, counters, timeProvider);
            sender.Send(timestamp: 0);
            try
            {
                await warmedUp.Task.WaitAsync(context.Timeout + TimeSpan.FromSeconds(5), timeProvider, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw CliException.Failed($"the consumer did not receive the warm-up record within {ValueParsers.Describe(context.Timeout + TimeSpan.FromSeconds(5))}: {counters.FirstError ?? "no error reported"}");
            }

            var started = timeProvider.GetTimestamp();
            var sent = await Task.Run(() => sender.RunAsync(started, RateLimiter.Create(settings.Throughput, timeProvider), cancellationToken), CancellationToken.None);
            progress.SetTarget(sent - counters.Failed);
            await progress.WaitAsync(idleTimeout, cancellationToken);
            return new PerfRun(counters.Records, counters.Failed, counters.Bytes, timeProvider.GetElapsedTime(started, progress.LastProgress), latency, counters.FirstError, Connections: null);
        }
        finally
        {
            progress.Stop();
            await consuming;
        }
    }

    private static IConsumer<Ignore, long> BuildConsumer(CliContext context, E2eValue value)
    {
        var config = context.Configure(new ConsumerConfig
        {
            GroupId = $"rill-perf-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            AllowAutoCreateTopics = false,
        });
        return new ConsumerBuilder<Ignore, long>(config)
            .SetValueDeserializer(value)
            .SetErrorHandler((_, error) => context.Diagnose(error))
            .SetLogHandler((_, log) => context.Diagnose(log))
            .Build();
    }

    private static IProducer<Null, byte[]> BuildProducer(CliContext context, ProduceSettings settings)
    {
        var config = context.Configure(new ProducerConfig
        {
            Acks = settings.ConfluentAcks,
            CompressionType = settings.ConfluentCompression,
            LingerMs = settings.LingerMs,
            BatchSize = settings.BatchSize,
            EnableIdempotence = false,
            DeliveryReportFields = "none",
        });
        return new ProducerBuilder<Null, byte[]>(config)
            .SetErrorHandler((_, error) => context.Diagnose(error))
            .SetLogHandler((_, log) => context.Diagnose(log))
            .Build();
    }

    private static void ConsumeLoop(IConsumer<Ignore, long> consumer, ProduceSettings settings, LatencyHistogram latency, TaskCompletionSource warmedUp, ConsumeProgress progress)
    {
        while (!progress.IsFinished)
        {
            ConsumeResult<Ignore, long>? result;
            try
            {
                result = consumer.Consume(PollWait);
            }
            catch (ConsumeException exception)
            {
                progress.Fail(KafkaErrors.Reason(exception.Error));
                return;
            }

            switch (result?.Message.Value)
            {
                case null or E2eValue.Foreign:
                    break;
                case E2eValue.WarmUp:
                    warmedUp.TrySetResult();
                    break;
                case { } microseconds when progress.TryCountRecord(settings.RecordSize):
                    latency.Record(microseconds);
                    break;
            }
        }
    }

    /// <summary>The producing side: one reused value buffer, stamped before each Produce (librdkafka copies it).</summary>
    private sealed class Sender
    {
        private readonly IProducer<Null, byte[]> _producer;
        private readonly ProduceSettings _settings;
        private readonly E2eValue _value;
        private readonly PerfCounters _counters;
        private readonly TimeProvider _timeProvider;
        private readonly byte[] _buffer;
        private readonly Message<Null, byte[]> _message;
        private readonly Action<DeliveryReport<Null, byte[]>> _onDelivery;
        private long _sent;
        private long _completed;

        public Sender(IProducer<Null, byte[]> producer, ProduceSettings settings, E2eValue value, PerfCounters counters, TimeProvider timeProvider)
        {
            _producer = producer;
            _settings = settings;
            _value = value;
            _counters = counters;
            _timeProvider = timeProvider;
            _buffer = PerfPayload.Value(settings.RecordSize);
            _message = new Message<Null, byte[]> { Value = _buffer };
            _onDelivery = OnDelivery;
        }

        /// <summary>Sends the measured records; returns how many were handed to librdkafka, once every one is reported.</summary>
        public async Task<long> RunAsync(long started, RateLimiter? limiter, CancellationToken cancellationToken)
        {
            long measured = 0;
            while (_settings.Records is { } records ? measured < records : _timeProvider.GetElapsedTime(started) < _settings.Duration)
            {
                if (limiter is not null)
                {
                    await limiter.WaitAsync(measured, cancellationToken);
                }

                while (!Send(_timeProvider.GetTimestamp()))
                {
                    await Task.Delay(QueueFullBackoff, _timeProvider, cancellationToken);
                }

                measured++;
            }

            while (Interlocked.Read(ref _completed) < _sent)
            {
                await Task.Delay(DeliveryPollInterval, _timeProvider, cancellationToken);
            }

            return measured;
        }

        /// <summary>Stamps and produces one record; false when the local queue is full.</summary>
        public bool Send(long timestamp)
        {
            _value.Stamp(_buffer, timestamp);
            try
            {
                _producer.Produce(_settings.Topic, _message, _onDelivery);
                _sent++;
                return true;
            }
            catch (ProduceException<Null, byte[]> exception) when (exception.Error.Code == ErrorCode.Local_QueueFull)
            {
                return false;
            }
        }

        private void OnDelivery(DeliveryReport<Null, byte[]> report)
        {
            if (report.Error.IsError)
            {
                _counters.AddFailed(1, report.Error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic
                    ? $"topic '{_settings.Topic}' does not exist"
                    : KafkaErrors.Reason(report.Error));
            }

            Interlocked.Increment(ref _completed);
        }
    }
}
