using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Rill.Coordinator;
using Rill.Replication;

namespace Rill.Server.Observability;

/// <summary>
/// One node's metrics: a <see cref="Meter"/> of its own (so two nodes in one test process never mix their
/// counts), the metrics class of each subsystem on it, and the exporter that serves them at <c>/metrics</c>.
/// </summary>
public sealed class NodeMetrics : IDisposable
{
    /// <summary>The meter's name, for tools that listen to meters by name (dotnet-counters, OpenTelemetry).</summary>
    public const string MeterName = "Rill.Server";

    private readonly Meter _meter;

    public NodeMetrics(ReplicaManager replicas, GroupCoordinator groups, ILoggerFactory loggerFactory)
    {
        _meter = new Meter(MeterName);
        var logger = loggerFactory.CreateLogger("Rill.Server.Observability");
        Network = new NetworkMetrics(_meter);
        Topics = new TopicMetrics(_meter);
        Storage = new StorageMetrics(_meter, replicas);
        Groups = new ConsumerGroupMetrics(_meter, groups, replicas, logger);
        Process = new ProcessMetrics(_meter);
        Exporter = new PrometheusExporter([_meter], logger);
    }

    public NetworkMetrics Network { get; }

    public TopicMetrics Topics { get; }

    public StorageMetrics Storage { get; }

    public ConsumerGroupMetrics Groups { get; }

    public ProcessMetrics Process { get; }

    public PrometheusExporter Exporter { get; }

    /// <summary>Work a scrape needs done first: copying the committed offsets off the coordinator's loops.</summary>
    public Task BeforeScrapeAsync(CancellationToken cancellationToken) => Groups.RefreshAsync(cancellationToken);

    public void Dispose()
    {
        Exporter.Dispose();
        _meter.Dispose();
    }
}
