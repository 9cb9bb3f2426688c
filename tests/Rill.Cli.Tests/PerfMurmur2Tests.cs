using System.Text;
using Rill.Cli.Perf.Librdkafka;

namespace Rill.Cli.Tests;

/// <summary>The perf producer's murmur2 gives Kafka's values (those of Kafka's own UtilsTest).</summary>
public sealed class PerfMurmur2Tests
{
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Hash_MatchesKafka(string key, int expected) => Assert.Equal(expected, Murmur2.Hash(Encoding.UTF8.GetBytes(key)));
}
