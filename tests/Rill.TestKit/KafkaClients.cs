using Confluent.Kafka;
using Rill.Common;

namespace Rill.TestKit;

/// <summary>Confluent.Kafka clients wired to load the package's own librdkafka (see <see cref="LibrdkafkaLoader"/>).</summary>
public static class KafkaClients
{
    public static void EnsureNativeLibrary() => LibrdkafkaLoader.Install(typeof(ProducerConfig).Assembly);

    public static IProducer<TKey, TValue> Producer<TKey, TValue>(string bootstrapServers, Action<ProducerConfig>? configure = null)
    {
        EnsureNativeLibrary();
        var config = new ProducerConfig { BootstrapServers = bootstrapServers, LingerMs = 5 };
        configure?.Invoke(config);
        return new ProducerBuilder<TKey, TValue>(config).Build();
    }

    public static IConsumer<TKey, TValue> Consumer<TKey, TValue>(string bootstrapServers, Action<ConsumerConfig>? configure = null)
    {
        EnsureNativeLibrary();
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "rill-tests-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        };
        configure?.Invoke(config);
        return new ConsumerBuilder<TKey, TValue>(config).Build();
    }

    public static IAdminClient Admin(string bootstrapServers)
    {
        EnsureNativeLibrary();
        return new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
    }
}
