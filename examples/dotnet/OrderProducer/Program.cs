using Confluent.Kafka;
using Rill.Examples;

// Produces --count orders to --topic, keyed by user id, with acks=all, waits until the broker has acknowledged
// every one, then prints one summary line. Exit code 0 only when every order was acknowledged.

const string Usage = """
    usage: OrderProducer [--bootstrap-servers HOST:PORT] [--topic TOPIC] [--count N] [--first-order-id N] [--users N]
      --bootstrap-servers  brokers to connect to (default localhost:9092)
      --topic              topic to write to (default orders)
      --count              how many orders to produce (default 100)
      --first-order-id     id of the first order; the others count up from it (default 1)
      --users              how many distinct users the orders belong to (default 10)

    """;

if (args is ["--help"] or ["-h"])
{
    Console.Write(Usage);
    return 0;
}

string bootstrapServers, topic;
int count, firstOrderId, users;
try
{
    var arguments = Arguments.Parse(args, new Dictionary<string, string?>
    {
        ["--bootstrap-servers"] = "localhost:9092",
        ["--topic"] = "orders",
        ["--count"] = "100",
        ["--first-order-id"] = "1",
        ["--users"] = "10",
    });
    bootstrapServers = arguments.Text("--bootstrap-servers");
    topic = arguments.Text("--topic");
    count = arguments.Number("--count")!.Value;
    firstOrderId = arguments.Number("--first-order-id")!.Value;
    users = arguments.Number("--users")!.Value;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.Write(Usage);
    return 2;
}

// Must run before the first client is built: on Debian it points Confluent.Kafka at the librdkafka of its own package.
Rill.Common.LibrdkafkaLoader.Install(typeof(ProducerConfig).Assembly);

var config = new ProducerConfig
{
    BootstrapServers = bootstrapServers,
    // Names the producer in the broker's view of its connections.
    ClientId = "order-producer-dotnet",
    // An order counts as written only once the partition's in-sync replicas have it.
    Acks = Acks.All,
    // Give up on an order after 30 s instead of librdkafka's default 5 minutes, so a missing broker shows quickly.
    MessageTimeoutMs = 30_000,
};
using var producer = new ProducerBuilder<string, string>(config)
    .SetErrorHandler((_, error) => Console.Error.WriteLine($"error: {error.Reason}"))
    .Build();

var lastOrderId = firstOrderId + count - 1;
Console.WriteLine($"producing orders {firstOrderId}-{lastOrderId} for {users} users to {topic} on {bootstrapServers}");
var deliveries = new List<Task<DeliveryResult<string, string>>>(count);
for (var orderId = firstOrderId; orderId <= lastOrderId; orderId++)
{
    var order = new Order(orderId, $"user-{orderId % users}", Random.Shared.Next(100, 100_000) / 100m);
    // The key decides the partition: every order of one user goes to the same partition, in the order produced.
    deliveries.Add(producer.ProduceAsync(topic, new Message<string, string> { Key = order.UserId, Value = order.ToJson() }));
}

var acknowledgedPerPartition = new SortedDictionary<int, int>();
var failures = new List<string>();
foreach (var delivery in deliveries)
{
    try
    {
        var result = await delivery;
        acknowledgedPerPartition[result.Partition.Value] = acknowledgedPerPartition.GetValueOrDefault(result.Partition.Value) + 1;
    }
    catch (ProduceException<string, string> e)
    {
        failures.Add(e.Error.Reason);
    }
}

var acknowledged = count - failures.Count;
var perPartition = string.Concat(acknowledgedPerPartition.Select(p => $", partition {p.Key}: {p.Value}"));
Console.WriteLine($"produced {acknowledged} of {count} orders to {topic} (acks=all{perPartition})");
if (failures.Count > 0)
{
    Console.Error.WriteLine($"error: {failures.Count} orders were not acknowledged, the first because: {failures[0]}");
    return 1;
}

return 0;
