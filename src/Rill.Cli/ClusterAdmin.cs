using System.Text.RegularExpressions;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Rill.Cli;

/// <summary>
/// An AdminClient that first proves the cluster answers: a DescribeCluster within the timeout, or an early
/// "cannot reach" as soon as librdkafka reports every broker down (a refused connection fails in
/// milliseconds instead of waiting out the timeout). librdkafka's own log lines are kept off stderr.
/// </summary>
internal sealed partial class ClusterAdmin : IDisposable
{
    private readonly CliContext _context;
    private readonly TaskCompletionSource<string?> _allBrokersDown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _lastConnectionError;

    private ClusterAdmin(CliContext context)
    {
        _context = context;
        KafkaNative.EnsureLoaded();
        Client = new AdminClientBuilder(context.Configure(new AdminClientConfig()))
            .SetErrorHandler((_, error) => OnError(error))
            .SetLogHandler((_, log) => context.Diagnose(log))
            .Build();
    }

    public IAdminClient Client { get; }

    /// <summary>The cluster as DescribeCluster saw it when connecting.</summary>
    public DescribeClusterResult Cluster { get; private set; } = null!;

    /// <summary>Options for the admin calls: the command's timeout as the request timeout.</summary>
    public TimeSpan RequestTimeout => _context.Timeout;

    /// <summary>Connects and describes the cluster; fails with exit code 3 when no broker answers.</summary>
    public static async Task<ClusterAdmin> ConnectAsync(CliContext context, CancellationToken cancellationToken)
    {
        var admin = new ClusterAdmin(context);
        try
        {
            await admin.DescribeClusterAsync(cancellationToken);
            return admin;
        }
        catch
        {
            admin.Dispose();
            throw;
        }
    }

    /// <summary>The "cannot reach" error with the best reason known (the last connection error librdkafka reported).</summary>
    public static CliException Unreachable(CliContext context, string? reason) =>
        new(ExitCodes.Unreachable, $"cannot reach {context.Brokers} ({reason ?? $"timed out after {ValueParsers.Describe(context.Timeout)}"})");

    public void Dispose() => Client.Dispose();

    private async Task DescribeClusterAsync(CancellationToken cancellationToken)
    {
        var describe = Client.DescribeClusterAsync(new DescribeClusterOptions { RequestTimeout = _context.Timeout });
        var first = await Task.WhenAny(describe, _allBrokersDown.Task).WaitAsync(cancellationToken);
        if (first == _allBrokersDown.Task)
        {
            throw Unreachable(_context, await _allBrokersDown.Task);
        }

        try
        {
            Cluster = await describe;
            _context.Reached = true;
        }
        catch (KafkaException exception) when (KafkaErrors.IsConnectivity(exception.Error.Code))
        {
            throw Unreachable(_context, _lastConnectionError);
        }
    }

    private void OnError(Error error)
    {
        _context.Diagnose(error);
        switch (error.Code)
        {
            case ErrorCode.Local_Transport or ErrorCode.Local_Resolve or ErrorCode.Local_Ssl or ErrorCode.Local_Authentication:
                _lastConnectionError = ConnectionReason(error.Reason);
                break;
            case ErrorCode.Local_AllBrokersDown:
                // Without a connection error the brokers were reached but did not answer in time.
                _allBrokersDown.TrySetResult(_lastConnectionError);
                break;
        }
    }

    /// <summary>
    /// librdkafka's reason without its broker prefix and state suffix: "127.0.0.1:1/bootstrap: Connect to
    /// ipv4#127.0.0.1:1 failed: Connection refused (after 0ms in state CONNECT)" -> "connection refused".
    /// </summary>
    internal static string ConnectionReason(string reason)
    {
        var text = BrokerPrefix().Replace(reason, string.Empty);
        text = StateSuffix().Replace(text, string.Empty);
        var connect = ConnectFailed().Match(text);
        if (connect.Success)
        {
            text = connect.Groups["reason"].Value;
        }

        text = text.Trim();
        return text.Length > 0 ? char.ToLowerInvariant(text[0]) + text[1..] : reason;
    }

    [GeneratedRegex(@"^\S+/(bootstrap|\d+): ")]
    private static partial Regex BrokerPrefix();

    [GeneratedRegex(@"\s*\(after \d+ms[^)]*\)\s*$")]
    private static partial Regex StateSuffix();

    [GeneratedRegex(@"^Connect to \S+ failed: (?<reason>.+)$")]
    private static partial Regex ConnectFailed();
}
