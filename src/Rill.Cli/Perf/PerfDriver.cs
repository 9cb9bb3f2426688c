namespace Rill.Cli.Perf;

/// <summary><c>--driver</c>: which client speaks to the brokers.</summary>
internal enum PerfDriver
{
    /// <summary>Confluent.Kafka (librdkafka): what applications see.</summary>
    Confluent,

    /// <summary>Rill's own protocol client: pre-built batches, pipelined requests; what the brokers can take.</summary>
    Native,
}
