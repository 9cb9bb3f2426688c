namespace Rill.Cli.Perf;

/// <summary>What <c>rill perf consume</c> was asked to do.</summary>
internal sealed record ConsumeSettings
{
    public required string Topic { get; init; }

    public required PerfDriver Driver { get; init; }

    /// <summary>Stop after this many records; null reads what the partitions held at the start.</summary>
    public required long? Records { get; init; }

    /// <summary>Give up when no record arrived for this long.</summary>
    public required TimeSpan IdleTimeout { get; init; }

    /// <summary>Confluent driver: consumers running side by side.</summary>
    public required int Consumers { get; init; }

    /// <summary>Confluent driver: consume as members of this group instead of assigning partitions.</summary>
    public required string? Group { get; init; }

    public required int FetchMinBytes { get; init; }

    public required int FetchMaxBytes { get; init; }

    public required int FetchMaxWaitMs { get; init; }

    public required int PartitionMaxBytes { get; init; }

    /// <summary>Native driver: connections to each partition leader.</summary>
    public required int Connections { get; init; }

    /// <summary>Native driver: Fetch requests in flight on each connection (one per set of partitions).</summary>
    public required int InFlight { get; init; }
}
