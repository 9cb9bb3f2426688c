using Confluent.Kafka;
using Rill.Common;

namespace Rill.Cli;

/// <summary>Installs Rill.Common's resolver for Confluent.Kafka's native library; call before building any client.</summary>
internal static class KafkaNative
{
    public static void EnsureLoaded() => LibrdkafkaLoader.Install(typeof(ProducerConfig).Assembly);
}
