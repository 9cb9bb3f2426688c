using static Rill.Storage.Tests.Compaction.CompactionKit;

namespace Rill.Storage.Tests.Compaction;

[Collection(typeof(AllocationMeasurements))]
public sealed class CompactionConcurrencyTests : IDisposable
{
    private readonly StorageFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task CompactionRetentionAppendsAndReads_Concurrently_ReadersSeeOrderedValidBatchesAndTheLatestValuesSurvive()
    {
        const int writers = 2;
        const int batchesPerWriter = 300;
        const int keysPerWriter = 7;
        var batchSize = Batch(_fixture.NowMs, ("w0-k0", "00000")).Length;

        // Replaced segments are closed at once, so readers holding them exercise the retry on the current segment list.
        var log = _fixture.CreateLog(Compacted with { SegmentBytes = 4 * batchSize, MinCleanableDirtyRatio = 0, FileDeleteDelayMs = 0 });
        var writing = true;
        var token = TestContext.Current.CancellationToken;

        var appenders = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < batchesPerWriter; i++)
            {
                Assert.Equal(Rill.Common.ErrorCode.None, log.AppendAsLeader(Batch(_fixture.NowMs, ($"w{w}-k{i % keysPerWriter}", $"{i:D5}")), 0).ErrorCode);
            }
        }, token)).ToArray();

        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var reads = 0;
            while (Volatile.Read(ref writing) || reads == 0)
            {
                var last = new Dictionary<string, string>();
                foreach (var row in ReadRows(log))
                {
                    Assert.True(!last.TryGetValue(row.Key!, out var previous) || string.CompareOrdinal(previous, row.Value) < 0,
                        $"{row.Key} went from {previous} to {row.Value} at offset {row.Offset}");
                    last[row.Key!] = row.Value!;
                }

                reads++;
            }
        }, token)).ToArray();

        var passes = 0;
        var maintenance = Task.Run(() =>
        {
            while (Volatile.Read(ref writing))
            {
                log.HighWatermark = log.LogEndOffset;
                passes += _fixture.Manager.RunCompaction();
                _fixture.Manager.RunRetention();
            }
        }, token);

        await Task.WhenAll(appenders);
        Volatile.Write(ref writing, false);
        await Task.WhenAll([.. readers, maintenance]);

        log.HighWatermark = log.LogEndOffset;
        _fixture.Manager.RunCompaction();
        var rows = ReadRows(log);
        for (var w = 0; w < writers; w++)
        {
            for (var k = 0; k < keysPerWriter; k++)
            {
                var lastWritten = Enumerable.Range(0, batchesPerWriter).Last(i => i % keysPerWriter == k);
                Assert.Equal($"{lastWritten:D5}", rows.Last(r => r.Key == $"w{w}-k{k}").Value);
            }
        }

        Assert.True(passes > 0);
        Assert.True(rows.Count < writers * batchesPerWriter / 2, $"{rows.Count} records left");
        Assert.Equal(writers * batchesPerWriter, log.LogEndOffset);
    }

    [Fact]
    public void RunCompaction_AllocatesAboutTheSameForTenOrThousandsOfRecords()
    {
        // The first pass sizes the cleaner's map and buffers; later passes over logs of the same shape reuse them.
        Compacting("warm-up-large", 3_000);
        Compacting("warm-up-small", 10);
        var small = Compacting("small", 10);
        var large = Compacting("large", 3_000);

        // What is left is per pass and per segment (segment objects, file handles, paths), never per record.
        Assert.True(Math.Abs(large - small) < 1_024, $"10 records: {small} bytes, 3000 records: {large} bytes");
    }

    /// <summary>Bytes this thread allocated compacting a new log of two batches of <paramref name="records"/> records over 50 keys.</summary>
    private long Compacting(string topic, int records)
    {
        var log = _fixture.Manager.GetOrCreateLog(new Rill.Common.TopicPartition(topic, 0), Compacted);
        for (var round = 0; round < 2; round++)
        {
            AppendInNewSegment(log, Batch(_fixture.NowMs, [.. Enumerable.Range(0, records).Select(i => ((string?)$"k{i % 50:D2}", (string?)$"{round}"))]));
        }

        AppendInNewSegment(log, Batch(_fixture.NowMs, ("z", "z")));
        log.HighWatermark = log.LogEndOffset;
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(1, _fixture.Manager.RunCompaction());
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
