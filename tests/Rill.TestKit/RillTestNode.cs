using Microsoft.Extensions.Logging;
using Rill.Config;
using Rill.Server;
using Rill.Server.Observability;

namespace Rill.TestKit;

/// <summary>
/// A Rill node in the test process: a port from the OS, a data directory of its own, both released on
/// dispose. Restart keeps the data directory, as a broker restart would.
/// </summary>
public sealed class RillTestNode : IAsyncDisposable
{
    private readonly TempDirectory _data;
    private readonly IReadOnlyList<string> _overrides;
    private readonly bool _ownsData;
    private int _port;

    private RillTestNode(TempDirectory data, IReadOnlyList<string> overrides, bool ownsData)
    {
        _data = data;
        _overrides = overrides;
        _ownsData = ownsData;
    }

    public RillNode Node { get; private set; } = null!;

    public string DataDirectory => _data.Path;

    public string BootstrapServers => Node.BootstrapServers;

    public int Port => _port;

    public static Task<RillTestNode> StartAsync(params string[] overrides) => StartAsync(new TempDirectory(), ownsData: true, overrides);

    public static async Task<RillTestNode> StartAsync(TempDirectory data, bool ownsData, params string[] overrides)
    {
        var node = new RillTestNode(data, overrides, ownsData);
        await node.StartNodeAsync(port: 0);
        return node;
    }

    public static ServerConfig Config(string dataDirectory, int port, IEnumerable<string> overrides)
    {
        var all = new List<string>
        {
            $"listeners=PLAINTEXT://127.0.0.1:{port}",
            $"log.dirs={dataDirectory}",
            "admin.listener=127.0.0.1:0",
            "num.partitions=1",
        };
        all.AddRange(overrides);
        return ServerConfig.Load(null, new Dictionary<string, string>(), all);
    }

    /// <summary>Stops the node cleanly and starts it again on the same port and data.</summary>
    public async Task RestartAsync()
    {
        await Node.DisposeAsync();
        await StartNodeAsync(_port);
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        if (_ownsData)
        {
            _data.Dispose();
        }
    }

    private async Task StartNodeAsync(int port)
    {
        var config = Config(_data.Path, port, _overrides);
        LogLevels = new LogLevels(TestLogPath is null ? LogLevel.Information : LogLevel.Debug);
        Node = await new RillNodeBuilder(config).WithLogging(LoggerFactoryFor(LogLevels), LogLevels).StartAsync(CancellationToken.None);
        _port = Node.BoundListeners[0].Port;
    }

    /// <summary>The node's changeable log levels (BROKER_LOGGER); replaced at each start.</summary>
    public LogLevels LogLevels { get; private set; } = null!;

    /// <summary>A file the nodes' logs go to (at Debug and up), named by RILL_TEST_LOGS; null writes them nowhere.</summary>
    private static string? TestLogPath => Environment.GetEnvironmentVariable("RILL_TEST_LOGS") is { Length: > 0 } path ? path : null;

    /// <summary>Loggers that follow <paramref name="levels"/>, writing to <see cref="TestLogPath"/> when there is one.</summary>
    private static ILoggerFactory LoggerFactoryFor(LogLevels levels) =>
        TestLogPath is { } path
            ? LoggerFactory.Create(b => levels.AddTo(b).AddProvider(new FileLoggerProvider(path)))
            : LoggerFactory.Create(b => levels.AddTo(b));
}
