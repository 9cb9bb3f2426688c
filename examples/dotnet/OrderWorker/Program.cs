using System.Diagnostics;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using Rill.Examples;

// One worker of a consumer group: the group splits the topic's partitions among its running workers. Each order
// is processed (here: printed), then its offset is committed, so an order is never lost and, unless a worker
// dies between the two steps, never processed twice. Ctrl-C or SIGTERM stops it cleanly: it finishes the current
// order and leaves the group, so its partitions move to the other workers at once.

const string Usage = """
    usage: OrderWorker [--bootstrap-servers HOST:PORT] [--topic TOPIC] [--group GROUP]
                       [--max-orders N] [--idle-timeout SECONDS]
      --bootstrap-servers  brokers to connect to (default localhost:9092)
      --topic              topic to read (default orders)
      --group              consumer group to join (default order-processing-group)
      --max-orders         stop after processing this many orders (default: no limit)
      --idle-timeout       stop when no order has arrived for this many seconds since the worker
                           joined the group or processed its last order (default: never)
    Without a limit the worker runs until Ctrl-C or SIGTERM.

    """;

if (args is ["--help"] or ["-h"])
{
    Console.Write(Usage);
    return 0;
}

string bootstrapServers, topic, group;
int? maxOrders;
TimeSpan? idleTimeout;
try
{
    var arguments = Arguments.Parse(args, new Dictionary<string, string?>
    {
        ["--bootstrap-servers"] = "localhost:9092",
        ["--topic"] = "orders",
        ["--group"] = "order-processing-group",
        ["--max-orders"] = null,
        ["--idle-timeout"] = null,
    });
    bootstrapServers = arguments.Text("--bootstrap-servers");
    topic = arguments.Text("--topic");
    group = arguments.Text("--group");
    maxOrders = arguments.Number("--max-orders");
    idleTimeout = arguments.Number("--idle-timeout") is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.Write(Usage);
    return 2;
}

// The first Ctrl-C or SIGTERM asks the loop below to stop after the current order; a second one ends the process
// at once (the default action), for when the clean stop hangs.
using var stopRequested = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    context.Cancel = !stopRequested.IsCancellationRequested;
    stopRequested.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

// Must run before the first client is built: on Debian it points Confluent.Kafka at the librdkafka of its own package.
Rill.Common.LibrdkafkaLoader.Install(typeof(ConsumerConfig).Assembly);

var config = new ConsumerConfig
{
    BootstrapServers = bootstrapServers,
    GroupId = group,
    // Tells the workers apart from other clients in 'rill group describe'.
    ClientId = "order-worker-dotnet",
    // Offsets are committed by the loop below, after each order is processed, never before.
    EnableAutoCommit = false,
    // A group that has committed nothing yet starts at the oldest order, not only at orders produced from now on.
    AutoOffsetReset = AutoOffsetReset.Earliest,
};

// --idle-timeout counts from the last assignment or order. It starts at the first assignment, not before: joining
// a group can take longer than the idle timeout (a new group waits group.initial.rebalance.delay.ms, 3 s).
var quiet = new Stopwatch();
using var consumer = new ConsumerBuilder<string, string>(config)
    .SetPartitionsAssignedHandler((_, partitions) =>
    {
        Console.WriteLine($"assigned partitions [{string.Join(", ", partitions.Select(p => p.Partition.Value).Order())}]");
        quiet.Restart();
    })
    .SetPartitionsRevokedHandler((_, partitions) =>
        Console.WriteLine($"revoked partitions [{string.Join(", ", partitions.Select(p => p.Partition.Value).Order())}]"))
    .SetErrorHandler((_, error) => Console.Error.WriteLine($"error: {error.Reason}"))
    .Build();

Console.WriteLine($"worker reading {topic} in group {group} from {bootstrapServers} (Ctrl-C to stop)");
consumer.Subscribe(topic);
var processed = 0;
string stoppedBecause;
while (true)
{
    if (stopRequested.IsCancellationRequested)
    {
        stoppedBecause = "interrupted";
        break;
    }

    if (maxOrders == processed)
    {
        stoppedBecause = $"reached --max-orders {maxOrders}";
        break;
    }

    if (quiet.Elapsed >= idleTimeout)
    {
        stoppedBecause = $"no order for {idleTimeout.Value.TotalSeconds} s";
        break;
    }

    ConsumeResult<string, string>? result;
    try
    {
        // A short poll, so that a stop request and the idle timeout are noticed within a fraction of a second.
        result = consumer.Consume(TimeSpan.FromMilliseconds(200));
    }
    catch (ConsumeException e) when (!e.Error.IsFatal)
    {
        // For example the topic does not exist yet: librdkafka keeps trying, and so does the worker.
        Console.Error.WriteLine($"error: {e.Error.Reason}");
        continue;
    }

    if (result is null)
    {
        continue;
    }

    var where = $"partition {result.Partition.Value} at offset {result.Offset.Value}";
    if (Order.TryParse(result.Message.Value, out var order))
    {
        Console.WriteLine($"processed order {order.OrderId} ({order.UserId}, {order.AmountText}) from {where}");
        processed++;
    }
    else
    {
        // A record that is not an order (say, plain text from the kcat quick start) is skipped, but committed like
        // any other: otherwise every restart would stumble over it again.
        Console.Error.WriteLine($"skipped a record that is not an order at {where}");
    }

    try
    {
        // Commits offset + 1 of this partition: the next order the group will read there.
        consumer.Commit(result);
    }
    catch (KafkaException e) when (!e.Error.IsFatal)
    {
        // Typically a rebalance took the partition away meanwhile: its new owner resumes from the last commit.
        Console.Error.WriteLine($"error: could not commit {where} ({e.Error.Reason}); the new owner of the partition will process it again");
    }

    quiet.Restart();
}

// Every processed order is committed already, so what is left is to leave the group: Close tells the coordinator,
// which hands the partitions to the remaining workers at once instead of after the session timeout.
consumer.Close();
Console.WriteLine($"done: processed {processed} orders ({stoppedBecause})");
return 0;
