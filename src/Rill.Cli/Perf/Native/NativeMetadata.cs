using System.Globalization;
using Rill.Client;
using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Messages;

namespace Rill.Cli.Perf.Native;

/// <summary>
/// Where a topic's partitions live, as Metadata tells it: the brokers' endpoints, each partition's leader, and the
/// topic id (Fetch v13+ names topics by id). Asked of the first bootstrap broker that answers.
/// </summary>
internal sealed class NativeMetadata
{
    private NativeMetadata(string topic, Uuid topicId, IReadOnlyDictionary<int, (string Host, int Port)> brokers, IReadOnlyList<PartitionLeader> partitions)
    {
        Topic = topic;
        TopicId = topicId;
        Brokers = brokers;
        Partitions = partitions;
    }

    public string Topic { get; }

    public Uuid TopicId { get; }

    public IReadOnlyDictionary<int, (string Host, int Port)> Brokers { get; }

    /// <summary>Every partition with its leader, in partition order.</summary>
    public IReadOnlyList<PartitionLeader> Partitions { get; }

    /// <summary>Large reads: a Fetch response of several MiB is read in few system calls.</summary>
    private static readonly SocketTransport Transport = new(readBufferBytes: 1 << 20, minimumReadBytes: 64 << 10);

    /// <summary>Asks the bootstrap brokers in turn; exit 3 when none answers.</summary>
    public static async Task<NativeMetadata> LoadAsync(CliContext context, string topic, CancellationToken cancellationToken)
    {
        KafkaConnectionException? lastFailure = null;
        foreach (var (host, port) in BootstrapEndpoints(context.Brokers))
        {
            KafkaConnection connection;
            try
            {
                connection = await OpenAsync(context, host, port, maxInFlight: 1, cancellationToken);
            }
            catch (KafkaConnectionException exception)
            {
                lastFailure = exception;
                continue;
            }

            await using (connection)
            {
                return await LoadAsync(context, connection, topic, cancellationToken);
            }
        }

        throw ClusterAdmin.Unreachable(context, lastFailure?.Reason);
    }

    /// <summary>
    /// Opens a connection to broker <paramref name="nodeId"/> that keeps up to <paramref name="maxInFlight"/>
    /// requests in flight; exit 3 when it does not answer.
    /// </summary>
    public async Task<KafkaConnection> ConnectAsync(CliContext context, int nodeId, int maxInFlight, CancellationToken cancellationToken)
    {
        if (!Brokers.TryGetValue(nodeId, out var broker))
        {
            throw CliException.Failed($"metadata names broker {nodeId} as a leader but does not list it");
        }

        try
        {
            return await OpenAsync(context, broker.Host, broker.Port, maxInFlight, cancellationToken);
        }
        catch (KafkaConnectionException exception)
        {
            throw new CliException(ExitCodes.Unreachable, $"cannot reach {exception.Endpoint} ({exception.Reason})");
        }
    }

    /// <summary>Connects and negotiates ApiVersions within --timeout; a timeout is reported as the connection's failure.</summary>
    private static async Task<KafkaConnection> OpenAsync(CliContext context, string host, int port, int maxInFlight, CancellationToken cancellationToken)
    {
        var options = new KafkaConnectionOptions
        {
            ClientId = "rill-perf",
            ClientSoftwareName = "rill-perf",
            Transport = Transport,
            MaxInFlightRequests = maxInFlight,
            MaxResponseBytes = Array.MaxLength,
            TimeProvider = context.Console.TimeProvider,
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(context.Timeout);
        try
        {
            return await KafkaConnection.ConnectAsync(host, port, options, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KafkaConnectionException($"{host}:{port}", $"timed out after {ValueParsers.Describe(context.Timeout)}");
        }
    }

    private static async Task<NativeMetadata> LoadAsync(CliContext context, KafkaConnection connection, string topic, CancellationToken cancellationToken)
    {
        if (!connection.Versions.TryNegotiate(ApiKey.Metadata, 1, MetadataRequest.HighestSupportedVersion, out var version))
        {
            throw CliException.Failed($"{connection.Endpoint} does not support Metadata v1 or later");
        }

        MetadataResponse response;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(context.Timeout);
        try
        {
            response = await connection.SendAsync<MetadataRequest, MetadataResponse>(
                new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = topic }], AllowAutoTopicCreation = false },
                version,
                timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw CliException.Failed($"Metadata from {connection.Endpoint} failed: no answer within {ValueParsers.Describe(context.Timeout)}");
        }
        catch (Exception exception) when (exception is IOException or ProtocolException)
        {
            throw CliException.Failed($"Metadata from {connection.Endpoint} failed: {exception.Message}");
        }

        var brokers = response.Brokers.ToDictionary(b => b.NodeId, b => (b.Host, b.Port));
        var described = response.Topics.FirstOrDefault(t => t.Name == topic)
            ?? throw CliException.Failed($"Metadata from {connection.Endpoint} did not describe topic '{topic}'");
        var error = (ErrorCode)described.ErrorCode;
        if (error == ErrorCode.UnknownTopicOrPartition)
        {
            throw CliException.Failed($"topic '{topic}' does not exist");
        }

        if (error != ErrorCode.None)
        {
            throw CliException.Failed($"topic '{topic}': {error}");
        }

        var partitions = new List<PartitionLeader>();
        foreach (var partition in described.Partitions.OrderBy(p => p.PartitionIndex))
        {
            if (partition.LeaderId < 0)
            {
                throw CliException.Failed($"topic '{topic}' partition {partition.PartitionIndex} has no leader ({(ErrorCode)partition.ErrorCode})");
            }

            partitions.Add(new PartitionLeader(partition.PartitionIndex, partition.LeaderId, partition.LeaderEpoch));
        }

        return new NativeMetadata(topic, described.TopicId, brokers, partitions);
    }

    private static IEnumerable<(string Host, int Port)> BootstrapEndpoints(string brokers)
    {
        foreach (var entry in brokers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = entry.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(entry.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                throw CliException.Usage($"--brokers: '{entry}' is not host:port");
            }

            yield return (entry[..colon].Trim('[', ']'), port);
        }
    }
}
