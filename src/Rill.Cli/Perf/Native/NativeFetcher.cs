using System.Threading.Channels;
using Rill.Client;
using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Cli.Perf.Native;

/// <summary>
/// The native consumer on one connection. Its partitions are dealt into up to <c>--in-flight</c> sets; each set has
/// one Fetch in flight at a time (its next offsets depend on the answer), and the sets pipeline on the connection.
/// The reader loop counts records from batch headers, moves the set's offsets on, and hands the set back to the
/// sender loop, which re-sends the set's one reused FetchRequest from one reused buffer.
/// </summary>
internal sealed class NativeFetcher : IResponseHandler, IAsyncDisposable
{
    private readonly KafkaConnection _connection;
    private readonly short _version;
    private readonly FetchSet[] _sets;
    private readonly ConsumeProgress _progress;
    private readonly Channel<int> _ready = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private byte[] _buffer = new byte[4096];
    private Task _sending = Task.CompletedTask;

    public NativeFetcher(KafkaConnection connection, short version, NativeMetadata metadata, ConsumeSettings settings, IReadOnlyList<PartitionState> partitions, ConsumeProgress progress)
    {
        _connection = connection;
        _version = version;
        _progress = progress;
        var setCount = Math.Max(1, Math.Min(settings.InFlight, partitions.Count));
        _sets = new FetchSet[setCount];
        for (var s = 0; s < setCount; s++)
        {
            _sets[s] = new FetchSet(metadata, settings, [.. partitions.Where((_, i) => i % setCount == s)]);
        }
    }

    /// <summary>Starts fetching every set that has partitions left to read.</summary>
    public void Start(CancellationToken cancellationToken)
    {
        for (var s = 0; s < _sets.Length; s++)
        {
            if (_sets[s].HasWork)
            {
                _ready.Writer.TryWrite(s);
            }
        }

        _sending = SendLoopAsync(cancellationToken);
    }

    public void OnResponse(in PendingRequest request, ReadOnlyMemory<byte> body)
    {
        var set = _sets[request.Tag];
        var reader = new KafkaReader(body);
        var response = FetchResponse.Read(ref reader, request.ApiVersion);
        if (response.ErrorCode != 0)
        {
            _progress.Fail($"Fetch from {_connection.Endpoint}: {(ErrorCode)response.ErrorCode}");
            return;
        }

        long records = 0;
        long bytes = 0;
        foreach (var topic in response.Responses)
        {
            foreach (var partition in topic.Partitions)
            {
                if (!set.TryGet(partition.PartitionIndex, out var state))
                {
                    continue;
                }

                if (partition.ErrorCode != 0)
                {
                    _progress.Fail($"partition {partition.PartitionIndex} at offset {state.NextOffset}: {(ErrorCode)partition.ErrorCode}");
                    return;
                }

                var data = partition.Records ?? ReadOnlyMemory<byte>.Empty;
                BatchScan.Result scanned;
                try
                {
                    scanned = BatchScan.Scan(data.Span, state.NextOffset);
                }
                catch (InvalidDataException exception)
                {
                    _progress.Fail($"partition {partition.PartitionIndex}: {exception.Message}");
                    return;
                }

                if (scanned.WholeBatches == 0 && data.Length > 0)
                {
                    _progress.Fail($"partition {partition.PartitionIndex} at offset {state.NextOffset}: the next batch is larger than the {data.Length} bytes returned (raise --partition-max-bytes)");
                    return;
                }

                records += scanned.Records;
                bytes += scanned.Bytes;
                state.NextOffset = scanned.NextOffset;
                if (!state.Done && state.NextOffset >= state.EndOffset)
                {
                    state.Done = true;
                    _progress.OnPartitionDone();
                }
            }
        }

        _progress.OnRecords(records, bytes);
        if (!_progress.IsFinished)
        {
            _ready.Writer.TryWrite(request.Tag);
        }
    }

    public void OnFailure(in PendingRequest request, Exception failure) => Fail(failure);

    public async ValueTask DisposeAsync()
    {
        _ready.Writer.TryComplete();
        await _connection.DisposeAsync();
        try
        {
            await _sending;
        }
        catch (OperationCanceledException)
        {
            // Stopped with the run.
        }
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var index in _ready.Reader.ReadAllAsync(cancellationToken))
            {
                if (_progress.IsFinished)
                {
                    return;
                }

                var request = _sets[index].Prepare();
                if (request is null)
                {
                    continue;
                }

                var size = _connection.Frames.SizeOf(ApiKey.Fetch, _version, request);
                if (_buffer.Length < size)
                {
                    _buffer = new byte[Math.Max(size, _buffer.Length * 2)];
                }

                _connection.Frames.Write(_buffer, ApiKey.Fetch, _version, correlationId: 0, request);
                await _connection.SendFrameAsync(_buffer.AsMemory(0, size), this, index, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            // Not sent: the connection had failed or was closed (a request it took hears of that through OnFailure).
            Fail(exception);
        }
    }

    /// <summary>Fails the run, unless it is over: closing the connection afterwards fails the Fetches still out.</summary>
    private void Fail(Exception failure)
    {
        if (!_progress.IsFinished)
        {
            _progress.Fail($"Fetch from {_connection.Endpoint}: {failure.Message}");
        }
    }

    /// <summary>Partitions fetched together by one reused FetchRequest.</summary>
    private sealed class FetchSet
    {
        private readonly FetchRequest _request;
        private readonly FetchRequest.FetchTopic _topic;
        private readonly Dictionary<int, (PartitionState State, FetchRequest.FetchPartition Fetch)> _partitions = [];

        public FetchSet(NativeMetadata metadata, ConsumeSettings settings, List<PartitionState> partitions)
        {
            _topic = new FetchRequest.FetchTopic { Topic = metadata.Topic, TopicId = metadata.TopicId };
            _request = new FetchRequest
            {
                MaxWaitMs = settings.FetchMaxWaitMs,
                MinBytes = settings.FetchMinBytes,
                MaxBytes = settings.FetchMaxBytes,
                Topics = [_topic],
            };
            foreach (var state in partitions)
            {
                var fetch = new FetchRequest.FetchPartition { Partition = state.Partition, PartitionMaxBytes = settings.PartitionMaxBytes };
                _partitions[state.Partition] = (state, fetch);
                if (!state.Done)
                {
                    _topic.Partitions.Add(fetch);
                }
            }
        }

        /// <summary>True while some partition has not reached its end.</summary>
        public bool HasWork => _topic.Partitions.Count > 0;

        public bool TryGet(int partition, out PartitionState state)
        {
            var found = _partitions.TryGetValue(partition, out var entry);
            state = entry.State;
            return found;
        }

        /// <summary>The request with every unfinished partition at its next offset (done partitions leave it); null when none is left.</summary>
        public FetchRequest? Prepare()
        {
            var fetches = _topic.Partitions;
            for (var i = fetches.Count - 1; i >= 0; i--)
            {
                var state = _partitions[fetches[i].Partition].State;
                if (state.Done)
                {
                    fetches.RemoveAt(i);
                    continue;
                }

                fetches[i].FetchOffset = state.NextOffset;
            }

            return fetches.Count > 0 ? _request : null;
        }
    }
}
