namespace Rill.Metadata;

/// <summary>Kafka's config resource types, as ConfigRecord and DescribeConfigs number them.</summary>
public enum ConfigResourceType : sbyte
{
    Unknown = 0,
    Topic = 2,
    Broker = 4,
    BrokerLogger = 8,
}
