using static Rill.Storage.Tests.Compaction.CompactionKit;

namespace Rill.Storage.Tests.Compaction;

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
}
