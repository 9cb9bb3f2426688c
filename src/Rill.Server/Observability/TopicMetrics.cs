using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Rill.Server.Observability;

/// <summary>
/// Bytes and records produced and fetched, by topic. Record counts come from the batch headers, never from
/// decoding records; one tag per topic is built on its first use and kept.
/// </summary>
public sealed class TopicMetrics
{
    private readonly ConcurrentDictionary<string, KeyValuePair<string, object?>> _topicTags = new(StringComparer.Ordinal);
    private readonly Counter<long> _producedBytes;
    private readonly Counter<long> _producedRecords;
    private readonly Counter<long> _fetchedBytes;
    private readonly Counter<long> _fetchedRecords;

    public TopicMetrics(Meter meter)
    {
        _producedBytes = meter.CreateCounter<long>("rill_produce_bytes_total", "By", "Record batch bytes appended by producers, by topic.");
        _producedRecords = meter.CreateCounter<long>("rill_produce_records_total", "{record}", "Records appended by producers, by topic.");
        _fetchedBytes = meter.CreateCounter<long>("rill_fetch_bytes_total", "By", "Record batch bytes sent in Fetch responses, by topic.");
        _fetchedRecords = meter.CreateCounter<long>("rill_fetch_records_total", "{record}", "Records in the batches sent in Fetch responses (from batch headers), by topic.");
    }

    public void Produced(string topic, int bytes, int records)
    {
        var tag = TopicTag(topic);
        _producedBytes.Add(bytes, tag);
        _producedRecords.Add(records, tag);
    }

    /// <summary>One partition's record batches in a Fetch answer: their bytes and the records their headers count.</summary>
    public void Fetched(string topic, int bytes, int records)
    {
        if (bytes == 0)
        {
            return;
        }

        var tag = TopicTag(topic);
        _fetchedBytes.Add(bytes, tag);
        _fetchedRecords.Add(records, tag);
    }

    private KeyValuePair<string, object?> TopicTag(string topic) =>
        _topicTags.GetOrAdd(topic, static name => new("topic", name));
}
