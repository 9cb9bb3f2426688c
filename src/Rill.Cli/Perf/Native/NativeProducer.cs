using Rill.Client;
using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Cli.Perf.Native;

/// <summary>
/// The native driver's sender on one connection: re-sends one pre-built Produce frame (a full batch for each of its
/// partitions) with a new correlation id each time, keeping up to <c>--in-flight</c> requests unanswered. Its
/// handler checks every partition's error code and records each request's latency once per record it carried.
/// </summary>
internal sealed class NativeProducer : IResponseHandler, IAsyncDisposable
{
    private const int FullFrame = 0;
    private const int TailFrame = 1;

    private readonly CliContext _context;
    private readonly ProduceSettings _settings;
    private readonly KafkaConnection _connection;
    private readonly short _version;
    private readonly int[] _partitions;
    private readonly int _recordsPerBatch;
    private readonly byte[] _fullBatch;
    private readonly NativeProduceDriver.BatchFactory _batches;
    private readonly PerfCounters _counters;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _window;
    private readonly ProduceFrame?[] _frames = new ProduceFrame?[2];

    public NativeProducer(
        CliContext context,
        ProduceSettings settings,
        KafkaConnection connection,
        short version,
        int[] partitions,
        int recordsPerBatch,
        byte[] fullBatch,
        NativeProduceDriver.BatchFactory batches,
        PerfCounters counters)
    {
        _context = context;
        _settings = settings;
        _connection = connection;
        _version = version;
        _partitions = partitions;
        _recordsPerBatch = recordsPerBatch;
        _fullBatch = fullBatch;
        _batches = batches;
        _counters = counters;
        _timeProvider = context.Console.TimeProvider;
        _window = new SemaphoreSlim(settings.InFlight, settings.InFlight);
        _frames[FullFrame] = BuildFrame([.. partitions.Select(_ => recordsPerBatch)]);
    }

    /// <summary>Latencies in microseconds, written by the connection's reader loop (or the sender with acks=0).</summary>
    public LatencyHistogram Latency { get; } = new();

    private bool ExpectResponses => _settings.Acks != 0;

    /// <summary>Sends <paramref name="quota"/> records (or for <paramref name="duration"/>), then waits for the last responses.</summary>
    public async Task RunAsync(long? quota, TimeSpan? duration, RateLimiter? limiter, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var full = _frames[FullFrame]!;
        long sent = 0;
        while (quota is { } q ? sent < q : _timeProvider.GetElapsedTime(started) < duration)
        {
            var tag = FullFrame;
            if (quota is { } limit && limit - sent < full.Records)
            {
                _frames[TailFrame] = BuildTail((int)(limit - sent));
                tag = TailFrame;
            }

            var frame = _frames[tag]!;
            if (limiter is not null)
            {
                await limiter.WaitAsync(sent, cancellationToken);
            }

            if (ExpectResponses)
            {
                await _window.WaitAsync(cancellationToken);
            }

            var sentAt = _timeProvider.GetTimestamp();
            try
            {
                // The connection writes the request's correlation id into the frame, which is reused once this returns.
                await _connection.SendFrameAsync(frame.Bytes, ExpectResponses ? this : null, tag, cancellationToken);
            }
            catch (Exception exception) when (exception is IOException or ObjectDisposedException)
            {
                // Not sent (a request the connection took hears of a failure through OnFailure instead), so it and
                // everything after it count as failed, and records plus failed stays what was asked.
                if (ExpectResponses)
                {
                    _window.Release();
                }

                _counters.AddFailed(quota is { } asked ? asked - sent : frame.Records, exception.Message);
                break;
            }

            sent += frame.Records;
            if (!ExpectResponses)
            {
                Latency.Record(Microseconds(sentAt), frame.Records);
                _counters.Add(frame.Records, (long)frame.Records * _settings.RecordSize);
            }
        }

        if (ExpectResponses)
        {
            await DrainAsync(cancellationToken);
        }
        else
        {
            await BarrierAsync(cancellationToken);
        }
    }

    public void OnResponse(in PendingRequest request, ReadOnlyMemory<byte> body)
    {
        var frame = _frames[request.Tag]!;
        var reader = new KafkaReader(body);
        var response = ProduceResponse.Read(ref reader, request.ApiVersion);
        long written = 0;
        long failed = 0;
        foreach (var topic in response.Responses)
        {
            foreach (var partition in topic.PartitionResponses)
            {
                var records = frame.RecordsOf(partition.Index);
                if (partition.ErrorCode == 0)
                {
                    written += records;
                    continue;
                }

                failed += records;
                var reason = ((ErrorCode)partition.ErrorCode).ToString();
                _counters.AddFailed(records, $"partition {partition.Index}: {reason}{(string.IsNullOrEmpty(partition.ErrorMessage) ? string.Empty : $" ({partition.ErrorMessage})")}");
            }
        }

        var missing = frame.Records - written - failed;
        if (missing > 0)
        {
            _counters.AddFailed(missing, $"{_connection.Endpoint} answered Produce without some of its partitions");
        }

        Latency.Record(Microseconds(request.SentTimestamp), written);
        _counters.Add(written, written * _settings.RecordSize);
        _window.Release();
    }

    public void OnFailure(in PendingRequest request, Exception failure)
    {
        _counters.AddFailed(_frames[request.Tag]!.Records, failure.Message);
        _window.Release();
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        _window.Dispose();
    }

    private long Microseconds(long since) => (long)_timeProvider.GetElapsedTime(since).TotalMicroseconds;

    /// <summary>Waits until every request in flight is answered (or failed), bounded by the request timeout plus --timeout.</summary>
    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        var limit = TimeSpan.FromMilliseconds(NativeProduceDriver.RequestTimeoutMs) + _context.Timeout;
        for (var i = 0; i < _settings.InFlight; i++)
        {
            if (!await _window.WaitAsync(limit, cancellationToken))
            {
                _counters.SetError($"{_connection.Endpoint} did not answer Produce within {ValueParsers.Describe(limit)}");
                return;
            }
        }
    }

    /// <summary>
    /// With acks=0 nothing answers a Produce, but a broker handles a connection's requests in order: the answer to
    /// one ApiVersions request sent last means every Produce before it was handled. A broker that failed an acks=0
    /// produce closes the connection instead, which is how that failure shows.
    /// </summary>
    private async Task BarrierAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_context.Timeout + TimeSpan.FromMilliseconds(NativeProduceDriver.RequestTimeoutMs));
        try
        {
            await _connection.SendAsync<ApiVersionsRequest, ApiVersionsResponse>(new ApiVersionsRequest(), 0, timeout.Token);
        }
        catch (Exception exception) when (exception is IOException or ProtocolException
            || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _counters.SetError($"{_connection.Endpoint} closed the connection or did not answer after acks=0 produces (it may have refused them): {exception.Message}");
        }
    }

    private ProduceFrame BuildTail(int records)
    {
        var perPartition = new int[_partitions.Length];
        var left = records;
        for (var i = 0; i < perPartition.Length && left > 0; i++)
        {
            perPartition[i] = Math.Min(left, _recordsPerBatch);
            left -= perPartition[i];
        }

        return BuildFrame(perPartition);
    }

    private ProduceFrame BuildFrame(int[] recordsPerPartition)
    {
        var data = new List<ProduceRequest.PartitionProduceData>();
        var byPartition = new Dictionary<int, int>();
        byte[]? partial = null;
        for (var i = 0; i < _partitions.Length; i++)
        {
            var records = recordsPerPartition[i];
            if (records == 0)
            {
                continue;
            }

            var batch = records == _recordsPerBatch ? _fullBatch : partial ??= _batches.Build(records);
            data.Add(new ProduceRequest.PartitionProduceData { Index = _partitions[i], Records = batch });
            byPartition[_partitions[i]] = records;
        }

        var request = new ProduceRequest
        {
            Acks = _settings.Acks,
            TimeoutMs = NativeProduceDriver.RequestTimeoutMs,
            TopicData = [new ProduceRequest.TopicProduceData { Name = _settings.Topic, PartitionData = data }],
        };
        return new ProduceFrame(_connection.Frames.Encode(ApiKey.Produce, _version, correlationId: 0, request), byPartition, recordsPerPartition.Sum());
    }

    /// <summary>A pre-built Produce request: its bytes, and how many records it carries to each partition.</summary>
    private sealed record ProduceFrame(byte[] Bytes, Dictionary<int, int> RecordsByPartition, int Records)
    {
        public int RecordsOf(int partition) => RecordsByPartition.GetValueOrDefault(partition);
    }
}
