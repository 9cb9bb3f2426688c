using System.Collections.Concurrent;
using Confluent.Kafka;
using Rill.TestKit;

namespace Rill.IntegrationTests;

/// <summary>A broker process killed with SIGKILL in the middle of a produce, then started again on the same data.</summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task SigkillMidProduce_EveryAcknowledgedRecordSurvives_AndATornTailIsNotServed()
    {
        using var data = new TempDirectory();
        var port = RillProcess.FreePort();
        var acknowledged = new ConcurrentDictionary<long, string>();
        await using (var broker = await RillProcess.StartAsync(data.Path, port, "num.partitions=1"))
        {
            using var producer = KafkaClients.Producer<Null, string>(broker.BootstrapServers, c =>
            {
                c.Acks = Acks.Leader;
                c.MessageTimeoutMs = 5_000;
            });
            var sent = 0;
            while (acknowledged.Count < 20_000)
            {
                var value = $"record-{sent++}";
                producer.Produce("crash", new Message<Null, string> { Value = value }, report =>
                {
                    if (!report.Error.IsError)
                    {
                        acknowledged[report.Offset.Value] = value;
                    }
                });
                if (sent % 1_000 == 0)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }

            // Kill while more records are still in flight.
            for (var i = 0; i < 5_000; i++)
            {
                producer.Produce("crash", new Message<Null, string> { Value = $"record-{sent++}" });
            }

            await broker.KillAsync();
            producer.Flush(TimeSpan.FromSeconds(1));
        }

        // A torn write: half a batch header of garbage at the end of the active segment.
        var partitionDir = Path.Combine(data.Path, "crash-0");
        var activeSegment = Directory.GetFiles(partitionDir, "*.log").Order(StringComparer.Ordinal).Last();
        var validLength = new FileInfo(activeSegment).Length;
        await File.AppendAllTextAsync(activeSegment, "\0\0\0\0\0\0\0\0\0\0\0\x7F torn", TestContext.Current.CancellationToken);

        await using (var broker = await RillProcess.StartAsync(data.Path, port, "num.partitions=1"))
        {
            Assert.Equal(validLength, new FileInfo(activeSegment).Length);
            var records = TopicHelper.ReadPartition<Null, string>(broker.BootstrapServers, "crash", 0, Offset.Beginning);
            Assert.True(records.Count >= acknowledged.Count, $"{records.Count} records survived, {acknowledged.Count} were acknowledged");
            for (var i = 0; i < records.Count; i++)
            {
                Assert.Equal(i, records[i].Offset.Value);
            }

            foreach (var (offset, value) in acknowledged)
            {
                Assert.Equal(value, records[(int)offset].Message.Value);
            }

            using var producer = KafkaClients.Producer<Null, string>(broker.BootstrapServers);
            var next = await producer.ProduceAsync("crash", new Message<Null, string> { Value = "after-restart" }, TestContext.Current.CancellationToken);
            Assert.Equal(records.Count, next.Offset.Value);
        }
    }
}
