using Confluent.Kafka;

namespace Rill.Cli.Perf.Librdkafka;

/// <summary>
/// One Confluent.Kafka producer of a perf run, tuned for throughput: a large local queue, <c>--linger-ms</c> and
/// <c>--batch-size</c> as given, no idempotence, delivery reports without key or value. Records go out with
/// <c>Produce</c> (not ProduceAsync: no task per record) from one reused message and value. Partitions are chosen
/// here: keyed records by murmur2 as Java does, keyless ones stick to a partition for a batch's worth of records
/// (as the sticky partitioner does), so that each partition's delivery reports, which come in produce order, can
/// be matched to send times without per-record state. Latency is send to delivery report, as Kafka's
/// ProducerPerformance measures it. With <c>--report-every N</c> only every Nth record carries a delivery handler
/// (the others cost librdkafka's report but not .NET's): latency is sampled on those, each successful report counts
/// its N records for the progress display, and the driver settles the totals from the partitions' end offsets.
/// </summary>
internal sealed class ConfluentProducer : IDisposable
{
    private static readonly TimeSpan QueueFullBackoff = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan DeliveryPollInterval = TimeSpan.FromMilliseconds(1);

    private readonly ProduceSettings _settings;
    private readonly PerfCounters _counters;
    private readonly TimeProvider _timeProvider;
    private readonly IProducer<byte[]?, byte[]> _producer;
    private readonly TopicPartition[] _targets;
    private readonly int[] _positionOfPartition;
    private readonly SendTimes[] _sendTimes;
    private readonly Action<DeliveryReport<byte[]?, byte[]>> _onDelivery;
    private readonly byte[] _value;
    private readonly byte[][]? _keys;
    private readonly int[]? _keyPositions;
    private readonly int _recordsPerBatch;
    private readonly int _index;
    private readonly int _reportEvery;
    private long _completed;

    public ConfluentProducer(CliContext context, ProduceSettings settings, IReadOnlyList<int> partitions, byte[] value, byte[][]? keys, int recordsPerBatch, int index, PerfCounters counters)
    {
        _settings = settings;
        _counters = counters;
        _timeProvider = context.Console.TimeProvider;
        _value = value;
        _keys = keys;
        _recordsPerBatch = recordsPerBatch;
        _index = index;
        _reportEvery = settings.ReportEvery;
        _targets = [.. partitions.Select(p => new TopicPartition(settings.Topic, p))];
        _positionOfPartition = new int[partitions.Max() + 1];
        for (var i = 0; i < partitions.Count; i++)
        {
            _positionOfPartition[partitions[i]] = i;
        }

        _sendTimes = [.. partitions.Select(_ => new SendTimes())];
        _keyPositions = keys is null ? null : [.. keys.Select(k => Murmur2.Partition(k, partitions.Count))];
        _onDelivery = OnDelivery;
        KafkaNative.EnsureLoaded();
        var config = context.Configure(new ProducerConfig
        {
            Acks = settings.ConfluentAcks,
            CompressionType = settings.ConfluentCompression,
            LingerMs = settings.LingerMs,
            BatchSize = settings.BatchSize,
            // A deep local queue, so the producer never waits for room while the network is busy. The socket buffers
            // stay as the OS tunes them: setting SO_SNDBUF turns Linux's auto-tuning off.
            QueueBufferingMaxMessages = 1_000_000,
            EnableIdempotence = false,
            DeliveryReportFields = "none",
        });
        _producer = new ProducerBuilder<byte[]?, byte[]>(config)
            .SetErrorHandler((_, error) => context.Diagnose(error))
            .SetLogHandler((_, log) => context.Diagnose(log))
            .Build();
    }

    /// <summary>Latencies in microseconds, written on this producer's delivery-report thread only.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>
    /// Produces <paramref name="quota"/> records (or for <paramref name="duration"/>), then waits for every delivery
    /// report; returns the records librdkafka accepted.
    /// </summary>
    public async Task<long> RunAsync(long? quota, TimeSpan? duration, RateLimiter? limiter, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var picker = new KeyPicker(_settings.Keys, _settings.KeyCount, _index);
        var message = new Message<byte[]?, byte[]> { Value = _value };
        var sticky = _index % _targets.Length;
        var stickyLeft = _recordsPerBatch;
        long sent = 0;
        long reported = 0;
        while (quota is { } q ? sent < q : _timeProvider.GetElapsedTime(started) < duration)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (limiter is not null)
            {
                await limiter.WaitAsync(sent, cancellationToken);
            }

            int position;
            var key = picker.Next();
            if (key >= 0)
            {
                message.Key = _keys![key];
                position = _keyPositions![key];
            }
            else
            {
                if (stickyLeft == 0)
                {
                    sticky = (sticky + 1) % _targets.Length;
                    stickyLeft = _recordsPerBatch;
                }

                stickyLeft--;
                position = sticky;
            }

            var report = sent % _reportEvery == 0;
            if (await ProduceAsync(position, message, report, cancellationToken))
            {
                sent++;
                reported += report ? 1 : 0;
            }
        }

        await WaitForDeliveriesAsync(reported, cancellationToken);
        if (_reportEvery > 1)
        {
            // Every reported record is done, so Flush meets only records without a handler: no second report thread.
            _producer.Flush(cancellationToken);
        }

        return sent;
    }

    public void Dispose() => _producer.Dispose();

    /// <summary>Produces one record, waiting while the local queue is full; false when librdkafka refused it outright.</summary>
    private async ValueTask<bool> ProduceAsync(int position, Message<byte[]?, byte[]> message, bool report, CancellationToken cancellationToken)
    {
        var sendTimes = _sendTimes[position];
        while (true)
        {
            if (report)
            {
                sendTimes.Enqueue(_timeProvider.GetTimestamp());
            }

            try
            {
                _producer.Produce(_targets[position], message, report ? _onDelivery : null);
                return true;
            }
            catch (ProduceException<byte[]?, byte[]> exception)
            {
                if (report)
                {
                    sendTimes.RemoveLast();
                }

                if (exception.Error.Code != ErrorCode.Local_QueueFull)
                {
                    _counters.AddFailed(1, Reason(exception.Error));
                    return false;
                }
            }

            // Not Poll: delivery reports must stay on the producer's own thread, the histogram's one writer.
            await Task.Delay(QueueFullBackoff, _timeProvider, cancellationToken);
        }
    }

    /// <summary>
    /// Waits for the delivery report of every record sent. Not Flush: it would serve reports on this thread too,
    /// beside the producer's own. librdkafka reports every record by message.timeout.ms at the latest.
    /// </summary>
    private async Task WaitForDeliveriesAsync(long sent, CancellationToken cancellationToken)
    {
        while (Interlocked.Read(ref _completed) < sent)
        {
            await Task.Delay(DeliveryPollInterval, _timeProvider, cancellationToken);
        }
    }

    private void OnDelivery(DeliveryReport<byte[]?, byte[]> report)
    {
        var sentAt = _sendTimes[_positionOfPartition[report.Partition.Value]].Dequeue();
        if (report.Error.IsError && _reportEvery > 1)
        {
            // The records this report stands for are settled from the end offsets; keep the reason.
            _counters.SetError(Reason(report.Error));
        }
        else if (report.Error.IsError)
        {
            _counters.AddFailed(1, Reason(report.Error));
        }
        else
        {
            if (sentAt is { } timestamp)
            {
                Latency.Record((long)_timeProvider.GetElapsedTime(timestamp).TotalMicroseconds);
            }

            _counters.Add(_reportEvery, (long)_reportEvery * _settings.RecordSize);
        }

        Interlocked.Increment(ref _completed);
    }

    private string Reason(Error error) => error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic
        ? $"topic '{_settings.Topic}' does not exist"
        : KafkaErrors.Reason(error);
}
