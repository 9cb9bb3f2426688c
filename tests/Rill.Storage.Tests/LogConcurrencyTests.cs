using Rill.Common;
using Rill.Protocol.Records;
using Rill.Storage.Tests.Records;

namespace Rill.Storage.Tests;

[Collection(typeof(AllocationMeasurements))]
public sealed class LogConcurrencyTests : IDisposable
{
    private readonly StorageFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task AppendAndRead_Concurrently_GiveUniqueContiguousOffsetsAndOnlyWholeValidBatches()
    {
        const int writers = 4;
        const int batchesPerWriter = 150;
        const int recordsPerBatch = 5;
        var batchSize = TestBatches.Build(recordsPerBatch, _fixture.NowMs).Length;
        var log = _fixture.CreateLog(LogConfig.Default with { SegmentBytes = 20 * batchSize, IndexIntervalBytes = 0 });
        var writing = true;
        var firstOffsets = new List<long>[writers];

        var readers = Enumerable.Range(0, 2).Select(seed => Task.Run(() =>
        {
            var random = new Random(seed);
            var reads = 0;
            while (Volatile.Read(ref writing) || reads == 0)
            {
                var end = log.LogEndOffset;
                var fetchOffset = end == 0 ? 0 : random.NextInt64(end);
                using var result = log.Read(fetchOffset, random.Next(1, 4 * batchSize), end, minOneBatch: true);
                Assert.Equal(ErrorCode.None, result.ErrorCode);
                var records = result.Records.Span;
                var expected = -1L;
                while (!records.IsEmpty)
                {
                    var batch = records[..RecordBatch.GetSizeInBytes(records)];
                    Assert.True(RecordBatch.IsCrcValid(batch));
                    Assert.True(expected < 0 ? RecordBatch.GetBaseOffset(batch) <= fetchOffset : RecordBatch.GetBaseOffset(batch) == expected);
                    Assert.True(RecordBatch.GetLastOffset(batch) < end);
                    expected = RecordBatch.GetNextOffset(batch);
                    records = records[batch.Length..];
                }

                reads++;
            }
        }, TestContext.Current.CancellationToken)).ToArray();

        var appenders = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            firstOffsets[w] = [];
            for (var i = 0; i < batchesPerWriter; i++)
            {
                var result = log.AppendAsLeader(TestBatches.Build(recordsPerBatch, _fixture.NowMs), 0);
                Assert.Equal(ErrorCode.None, result.ErrorCode);
                firstOffsets[w].Add(result.FirstOffset);
                if (i % 50 == 0)
                {
                    _fixture.Manager.FlushDirty();
                }
            }
        }, TestContext.Current.CancellationToken)).ToArray();

        await Task.WhenAll(appenders);
        Volatile.Write(ref writing, false);
        await Task.WhenAll(readers);

        const long total = writers * batchesPerWriter * recordsPerBatch;
        Assert.Equal(total, log.LogEndOffset);
        var expectedOffsets = Enumerable.Range(0, writers * batchesPerWriter).Select(i => (long)i * recordsPerBatch).ToList();
        Assert.Equal(expectedOffsets, firstOffsets.SelectMany(o => o).Order());
        Assert.Equal(expectedOffsets, StorageFixture.BaseOffsets(StorageFixture.ReadAll(log)));
        Assert.All(firstOffsets, offsets => Assert.Equal(offsets.Order(), offsets));
    }

    [Fact]
    public void AppendAsLeader_AllocatesTheSameForTenOrThousandsOfRecords()
    {
        var log = _fixture.CreateLog();
        var small = TestBatches.Build(10, _fixture.NowMs);
        var large = TestBatches.Build(3_000, _fixture.NowMs);
        log.AppendAsLeader(small.ToArray(), 0);
        log.AppendAsLeader(large.ToArray(), 0);
        var smallCopy = small.ToArray();
        var largeCopy = large.ToArray();

        var smallAllocated = AllocationMeasurements.LeastAllocated(() => log.AppendAsLeader(smallCopy, 0));
        var largeAllocated = AllocationMeasurements.LeastAllocated(() => log.AppendAsLeader(largeCopy, 0));

        Assert.Equal(smallAllocated, largeAllocated);
        Assert.True(largeAllocated <= 128, $"allocated {largeAllocated} bytes");
    }
}
