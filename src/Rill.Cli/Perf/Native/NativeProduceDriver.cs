using Rill.Protocol.Messages;
using Rill.Protocol.Records;

namespace Rill.Cli.Perf.Native;

/// <summary>
/// <c>rill perf produce --driver native</c>: measures what the brokers take rather than what a client library can
/// send, as redis-benchmark does. One record batch of <c>--batch-size</c> is built once (values, keys, compression,
/// CRC) and every Produce request re-sends it to each partition the connection carries, from one pre-built frame;
/// the brokers assign offsets by rewriting base offsets, so the same bytes are valid every time. Records therefore
/// carry the time the batch was built as their timestamp. Connections go to each partition's leader, with
/// <c>--in-flight</c> requests pipelined on each.
/// </summary>
internal static class NativeProduceDriver
{
    /// <summary>The Produce request's timeout: how long the broker may wait for acks=all.</summary>
    public const int RequestTimeoutMs = 30_000;

    /// <summary>Record framing per record besides key and value (length, attributes, deltas, header count), a little generous.</summary>
    private const int RecordOverhead = 10;

    public static async Task<PerfRun> RunAsync(CliContext context, ProduceSettings settings, PerfCounters counters, CancellationToken cancellationToken)
    {
        var timeProvider = context.Console.TimeProvider;
        var metadata = await NativeMetadata.LoadAsync(context, settings.Topic, cancellationToken);
        var plan = ConnectionPlan.Make(metadata.Partitions, settings.Connections);
        var value = PerfPayload.Value(settings.RecordSize);
        var keys = PerfPayload.Keys(settings.Keys, settings.KeyCount);
        var recordsPerBatch = RecordsPerBatch(settings, keys);
        var batches = new BatchFactory(settings, value, keys, timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        var fullBatch = batches.Build(recordsPerBatch);

        var producers = new List<NativeProducer>();
        try
        {
            foreach (var (leaderId, partitions) in plan)
            {
                var connection = await metadata.ConnectAsync(context, leaderId, settings.InFlight, cancellationToken);
                if (!connection.Versions.TryNegotiate(ApiKey.Produce, 3, ProduceRequest.HighestSupportedVersion, out var version))
                {
                    await connection.DisposeAsync();
                    throw CliException.Failed($"{connection.Endpoint} does not support Produce v3 or later (record batches of magic 2)");
                }

                producers.Add(new NativeProducer(context, settings, connection, version, [.. partitions.Select(p => p.Partition)], recordsPerBatch, fullBatch, batches, counters));
            }

            var quotas = settings.Records is { } records ? ConnectionPlan.Split(records, [.. plan.Select(p => p.Partitions.Count)]) : null;
            var totalPartitions = metadata.Partitions.Count;
            var started = timeProvider.GetTimestamp();
            var runs = new Task[producers.Count];
            for (var i = 0; i < producers.Count; i++)
            {
                var share = (double)plan[i].Partitions.Count / totalPartitions;
                var limiter = RateLimiter.Create(settings.Throughput * share, timeProvider);
                runs[i] = producers[i].RunAsync(quotas?[i], settings.Duration, limiter, cancellationToken);
            }

            await Task.WhenAll(runs);
            var elapsed = timeProvider.GetElapsedTime(started);
            var latency = new LatencyHistogram();
            foreach (var producer in producers)
            {
                latency.Add(producer.Latency);
            }

            return new PerfRun(counters.Records, counters.Failed, counters.Bytes, elapsed, latency, counters.FirstError, producers.Count);
        }
        finally
        {
            foreach (var producer in producers)
            {
                await producer.DisposeAsync();
            }
        }
    }

    private static int RecordsPerBatch(ProduceSettings settings, byte[][]? keys)
    {
        var perRecord = settings.RecordSize + (keys?[0].Length ?? 0) + RecordOverhead;
        return Math.Max(1, (settings.BatchSize - RecordBatch.HeaderSize) / perRecord);
    }

    /// <summary>Builds batches of n records from the one value and the keys, all with the same timestamp.</summary>
    internal sealed class BatchFactory
    {
        private readonly ProduceSettings _settings;
        private readonly byte[] _value;
        private readonly byte[][]? _keys;
        private readonly long _timestamp;
        private readonly KeyPicker _picker;
        private readonly Lock _lock = new();

        public BatchFactory(ProduceSettings settings, byte[] value, byte[][]? keys, long timestamp)
        {
            _settings = settings;
            _value = value;
            _keys = keys;
            _timestamp = timestamp;
            _picker = new KeyPicker(settings.Keys, settings.KeyCount, start: 0);
        }

        public byte[] Build(int records)
        {
            lock (_lock)
            {
                var builder = new RecordBatchBuilder(Codec(_settings.Compression));
                for (var i = 0; i < records; i++)
                {
                    var key = _picker.Next();
                    builder.Append(_timestamp, key < 0 ? null : _keys![key], _value);
                }

                return builder.Build();
            }
        }

        private static CompressionCodec Codec(string name) => name switch
        {
            "gzip" => CompressionCodec.Gzip,
            "snappy" => CompressionCodec.Snappy,
            "lz4" => CompressionCodec.Lz4,
            "zstd" => CompressionCodec.Zstd,
            _ => CompressionCodec.None,
        };
    }
}
