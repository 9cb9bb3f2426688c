namespace Rill.Cli.Perf;

/// <summary>What <c>rill perf produce</c> (and the producing half of <c>rill perf e2e</c>) was asked to do.</summary>
internal sealed record ProduceSettings
{
    public required string Topic { get; init; }

    public required PerfDriver Driver { get; init; }

    /// <summary>Records to write in all; null when <see cref="Duration"/> bounds the run instead.</summary>
    public required long? Records { get; init; }

    public required TimeSpan? Duration { get; init; }

    public required int RecordSize { get; init; }

    /// <summary>Records per second for the whole run; -1 is unlimited.</summary>
    public required long Throughput { get; init; }

    /// <summary>-1 (all), 0 or 1, as the Produce request carries it.</summary>
    public required short Acks { get; init; }

    public required int LingerMs { get; init; }

    public required int BatchSize { get; init; }

    /// <summary>none, gzip, snappy, lz4 or zstd.</summary>
    public required string Compression { get; init; }

    public required KeyDistribution Keys { get; init; }

    public required int KeyCount { get; init; }

    /// <summary>Confluent driver: producers running side by side.</summary>
    public required int Producers { get; init; }

    /// <summary>Confluent driver: a delivery report is asked for on every this-many-th record (1: every record).</summary>
    public int ReportEvery { get; init; } = 1;

    /// <summary>Native driver: connections to each partition leader.</summary>
    public required int Connections { get; init; }

    /// <summary>Native driver: Produce requests in flight on each connection.</summary>
    public required int InFlight { get; init; }

    /// <summary><see cref="Acks"/> as Confluent.Kafka names it.</summary>
    public Confluent.Kafka.Acks ConfluentAcks => Acks switch
    {
        0 => Confluent.Kafka.Acks.None,
        1 => Confluent.Kafka.Acks.Leader,
        _ => Confluent.Kafka.Acks.All,
    };

    /// <summary><see cref="Compression"/> as Confluent.Kafka names it.</summary>
    public Confluent.Kafka.CompressionType ConfluentCompression => Compression switch
    {
        "gzip" => Confluent.Kafka.CompressionType.Gzip,
        "snappy" => Confluent.Kafka.CompressionType.Snappy,
        "lz4" => Confluent.Kafka.CompressionType.Lz4,
        "zstd" => Confluent.Kafka.CompressionType.Zstd,
        _ => Confluent.Kafka.CompressionType.None,
    };

    /// <summary>"all", "1" or "0", as people write it.</summary>
    public string AcksName => Acks == -1 ? "all" : Acks.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
