using System.Globalization;
using System.Text;
using System.Text.Json;
using Rill.TestKit;

namespace Rill.Cli.Tests;

/// <summary><c>rill produce</c> and <c>rill consume</c>: records go in from stdin or a file and come back exactly.</summary>
public sealed class ProduceConsumeCommandTests : IAsyncLifetime
{
    private RillTestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await RillTestNode.StartAsync();

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Produce_FromStdinWithKeysAndHeaders_ConsumeFormatsEveryField()
    {
        await CreateAsync("keyed", partitions: 1);

        var produce = await Cli.RunWithInputAsync(
            _node.BootstrapServers,
            "alice:order-1\nbob:order-2\nno key here\ncarol::colons:stay\n",
            "produce", "keyed", "--key-separator", ":", "--header", "source=test", "-H", "trace=42", "--output", "json");
        Assert.Equal(0, produce.ExitCode);
        var summary = produce.Json();
        Assert.Equal("keyed", summary.GetProperty("topic").GetString());
        Assert.Equal(4, summary.GetProperty("records").GetInt64());
        var partition = Assert.Single(summary.GetProperty("partitions").EnumerateArray());
        Assert.Equal(0, partition.GetProperty("partition").GetInt32());
        Assert.Equal(4, partition.GetProperty("records").GetInt64());
        Assert.Equal(0, partition.GetProperty("firstOffset").GetInt64());
        Assert.Equal(3, partition.GetProperty("lastOffset").GetInt64());

        var consume = await Run("consume", "keyed", "--from-beginning", "-e", "--format", "%t %p %o [%k] [%v] %h %K/%S\\n");
        Assert.Equal(0, consume.ExitCode);
        Assert.Equal(
            [
                "keyed 0 0 [alice] [order-1] source=test,trace=42 5/7",
                "keyed 0 1 [bob] [order-2] source=test,trace=42 3/7",
                "keyed 0 2 [] [no key here] source=test,trace=42 -1/11",
                "keyed 0 3 [carol] [:colons:stay] source=test,trace=42 5/12",
            ],
            consume.Lines());

        var json = await Run("consume", "keyed", "--from-beginning", "-e", "--output", "json");
        var records = json.JsonLines();
        Assert.Equal(4, records.Count);
        Assert.Equal("alice", records[0].GetProperty("key").GetString());
        Assert.Equal(JsonValueKind.Null, records[2].GetProperty("key").ValueKind);
        Assert.Equal("no key here", records[2].GetProperty("value").GetString());
        Assert.Equal(
            [("source", "test"), ("trace", "42")],
            records[0].GetProperty("headers").EnumerateArray().Select(h => (h.GetProperty("key").GetString(), h.GetProperty("value").GetString())));
        Assert.True(records[0].GetProperty("timestamp").GetInt64() > 0);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task Produce_FromFileToAPartition_WithEachCodec_ComesBackExactly(string codec)
    {
        var topic = $"file-{codec}";
        await CreateAsync(topic, partitions: 3);
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "records.txt");
        var values = Enumerable.Range(0, 500).Select(i => $"value-{i}-{new string('x', i % 40)}").ToList();
        await File.WriteAllTextAsync(path, string.Join('\n', values.Select((v, i) => $"k{i % 7}|{v}")) + "\n", TestContext.Current.CancellationToken);

        var produce = await Run("produce", topic, "--file", path, "-K", "|", "--partition", "1", "--compression", codec, "--acks", "1", "--output", "json");
        Assert.Equal(0, produce.ExitCode);
        var partition = Assert.Single(produce.Json().GetProperty("partitions").EnumerateArray());
        Assert.Equal(1, partition.GetProperty("partition").GetInt32());
        Assert.Equal(500, partition.GetProperty("records").GetInt64());
        Assert.Equal(0, partition.GetProperty("firstOffset").GetInt64());
        Assert.Equal(499, partition.GetProperty("lastOffset").GetInt64());

        var consume = await Run("consume", topic, "--partition", "1", "--from-beginning", "-n", "500", "--output", "json");
        Assert.Equal(0, consume.ExitCode);
        var records = consume.JsonLines();
        Assert.Equal(values, records.Select(r => r.GetProperty("value").GetString()));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"k{i % 7}"), records.Select(r => r.GetProperty("key").GetString()));
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), records.Select(r => r.GetProperty("offset").GetInt64()));
        Assert.All(records, r => Assert.Equal(1, r.GetProperty("partition").GetInt32()));
    }

    [Fact]
    public async Task Produce_KeyedRecords_LandWhereTheJavaClientPutsThem()
    {
        await CreateAsync("murmur", partitions: 3);
        var produce = await Cli.RunWithInputAsync(_node.BootstrapServers, "a=1\nb=2\nc=3\na=4\n", "produce", "murmur", "-K", "=", "--output", "json");
        Assert.Equal(0, produce.ExitCode);

        var consume = await Run("consume", "murmur", "--from-beginning", "-e", "--format", "%k %p\\n");
        var partitionOfKey = consume.Lines().Select(l => l.Split(' ')).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Select(p => p[1]).Distinct().Single());

        // murmur2(key) % 3 as Kafka's DefaultPartitioner computes it.
        Assert.Equal(new Dictionary<string, string> { ["a"] = Murmur2Partition("a", 3), ["b"] = Murmur2Partition("b", 3), ["c"] = Murmur2Partition("c", 3) }, partitionOfKey);
    }

    [Fact]
    public async Task Consume_FromAnOffset_AndFromTheEnd_StartExactlyThere()
    {
        await CreateAsync("offsets", partitions: 1);
        await ProduceAsync("offsets", Enumerable.Range(0, 10).Select(i => $"v{i}"));

        var fromFive = await Run("consume", "offsets", "--offset", "5", "-e");
        Assert.Equal(0, fromFive.ExitCode);
        Assert.Equal(["v5", "v6", "v7", "v8", "v9"], fromFive.Lines());

        var lastThree = await Run("consume", "offsets", "--offset", "-3", "-e", "--format", "%o:%v\\n");
        Assert.Equal(["7:v7", "8:v8", "9:v9"], lastThree.Lines());

        var latest = await Run("consume", "offsets", "-e");
        Assert.Equal(0, latest.ExitCode);
        Assert.Empty(latest.Stdout);
    }

    [Fact]
    public async Task Consume_CountN_StopsAfterNRecords()
    {
        await CreateAsync("counted", partitions: 2);
        await ProduceAsync("counted", Enumerable.Range(0, 20).Select(i => $"v{i}"));

        var consume = await Run("consume", "counted", "--from-beginning", "-n", "7");
        Assert.Equal(0, consume.ExitCode);
        Assert.Equal(7, consume.Lines().Count);
    }

    [Fact]
    public async Task Consume_FromATimestamp_MillisecondsOrIso8601_StartsAtTheFirstRecordAtOrAfterIt()
    {
        await CreateAsync("timed", partitions: 1);
        await ProduceAsync("timed", ["early-1", "early-2"]);
        var early = (await Run("consume", "timed", "--from-beginning", "-e", "--output", "json")).JsonLines();
        var lastEarly = early[^1].GetProperty("timestamp").GetInt64();
        await Eventually.UntilAsync(() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() > lastEarly + 1, TimeSpan.FromSeconds(5), "the clock to pass the early records");
        await ProduceAsync("timed", ["late-1", "late-2"]);
        var all = (await Run("consume", "timed", "--from-beginning", "-e", "--output", "json")).JsonLines();
        var firstLate = all[2].GetProperty("timestamp").GetInt64();
        Assert.True(firstLate > lastEarly);

        var byMs = await Run("consume", "timed", "--timestamp", firstLate.ToString(CultureInfo.InvariantCulture), "-e");
        Assert.Equal(0, byMs.ExitCode);
        Assert.Equal(["late-1", "late-2"], byMs.Lines());

        var iso = DateTimeOffset.FromUnixTimeMilliseconds(firstLate).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var byIso = await Run("consume", "timed", "--timestamp", iso, "-e");
        Assert.Equal(["late-1", "late-2"], byIso.Lines());

        var afterAll = await Run("consume", "timed", "--timestamp", (all[^1].GetProperty("timestamp").GetInt64() + 60_000).ToString(CultureInfo.InvariantCulture), "-e");
        Assert.Equal(0, afterAll.ExitCode);
        Assert.Empty(afterAll.Stdout);
    }

    [Fact]
    public async Task Produce_AcksZero_ReportsRecordsWithoutOffsets()
    {
        await CreateAsync("fire-and-forget", partitions: 1);
        var produce = await Cli.RunWithInputAsync(_node.BootstrapServers, "a\nb\n", "produce", "fire-and-forget", "--acks", "0", "--output", "json");
        Assert.Equal(0, produce.ExitCode);
        var partition = Assert.Single(produce.Json().GetProperty("partitions").EnumerateArray());
        Assert.Equal(2, partition.GetProperty("records").GetInt64());
        Assert.Equal(JsonValueKind.Null, partition.GetProperty("firstOffset").ValueKind);

        await Eventually.UntilAsync(
            async () => (await Run("consume", "fire-and-forget", "--from-beginning", "-e")).Lines().Count == 2,
            TimeSpan.FromSeconds(10),
            "both records to be readable");
    }

    [Fact]
    public async Task Produce_TableOutput_PrintsASummaryLineAndPartitions()
    {
        await CreateAsync("summary", partitions: 1);
        var produce = await Cli.RunWithInputAsync(_node.BootstrapServers, "one\n", "produce", "summary");
        Assert.Equal(0, produce.ExitCode);
        Assert.Equal("produced 1 record to summary", produce.Lines()[0]);
        Assert.Equal(["0", "1", "0", "0"], produce.Lines()[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Produce_ToAMissingPartition_Exits1()
    {
        await CreateAsync("narrow", partitions: 1);
        var produce = await Cli.RunWithInputAsync(_node.BootstrapServers, "x\n", "produce", "narrow", "--partition", "4");
        Assert.Equal(1, produce.ExitCode);
        Assert.Equal("rill: topic 'narrow' has no partition 4 (it has 1: 0-0)\n", produce.Stderr);
    }

    [Fact]
    public async Task Produce_FromAMissingFile_Exits1()
    {
        await CreateAsync("nofile", partitions: 1);
        var produce = await Run("produce", "nofile", "--file", "/nonexistent/records.txt");
        Assert.Equal(1, produce.ExitCode);
        Assert.Equal("rill: file '/nonexistent/records.txt' does not exist\n", produce.Stderr);
    }

    private static string Murmur2Partition(string key, int partitions)
    {
        var data = Encoding.UTF8.GetBytes(key);
        const uint M = 0x5bd1e995;
        const int R = 24;
        var length = data.Length;
        var h = 0x9747b28c ^ (uint)length;
        var i = 0;
        for (; length - i >= 4; i += 4)
        {
            var k = BitConverter.ToUInt32(data, i);
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }

        switch (length - i)
        {
            case 3:
                h ^= (uint)data[i + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[i + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[i];
                h *= M;
                break;
        }

        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return ((int)(h & 0x7fffffff) % partitions).ToString(CultureInfo.InvariantCulture);
    }

    private async Task CreateAsync(string topic, int partitions)
    {
        var create = await Run("topic", "create", topic, "--partitions", partitions.ToString(CultureInfo.InvariantCulture));
        Assert.True(create.ExitCode == 0, create.ToString());
    }

    private async Task ProduceAsync(string topic, IEnumerable<string> values)
    {
        var produce = await Cli.RunWithInputAsync(_node.BootstrapServers, string.Join('\n', values) + "\n", "produce", topic);
        Assert.True(produce.ExitCode == 0, produce.ToString());
    }

    private Task<CliResult> Run(params string[] args) => Cli.RunAsync(_node.BootstrapServers, args);
}
