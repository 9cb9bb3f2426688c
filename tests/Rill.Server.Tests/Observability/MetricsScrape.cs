using System.Globalization;
using System.Net;

namespace Rill.Server.Tests.Observability;

/// <summary>One <c>/metrics</c> answer, parsed: sample values by their series text (<c>name{labels}</c>) and family types.</summary>
public sealed class MetricsScrape
{
    private readonly Dictionary<string, double> _samples = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);

    private MetricsScrape(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                Assert.Equal(4, parts.Length);
                Assert.True(_types.TryAdd(parts[2], parts[3]), $"TYPE of {parts[2]} given twice");
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            var split = line.LastIndexOf(' ');
            var value = line[(split + 1)..] switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var number => double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            Assert.True(_samples.TryAdd(line[..split], value), $"series {line[..split]} given twice");
        }
    }

    public string Text { get; }

    public IReadOnlyDictionary<string, string> Types => _types;

    public IEnumerable<string> Series => _samples.Keys;

    public static async Task<MetricsScrape> GetAsync(HttpClient http, IPEndPoint admin)
    {
        using var response = await http.GetAsync(new Uri($"http://{admin}/metrics"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return new MetricsScrape(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>The value of <paramref name="series"/>, e.g. <c>rill_requests_total{api="Produce"}</c>; 0 when absent.</summary>
    public double this[string series] => _samples.GetValueOrDefault(series);

    public bool Has(string series) => _samples.ContainsKey(series);
}
