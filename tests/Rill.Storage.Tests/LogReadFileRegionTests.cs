using System.Runtime.InteropServices;
using Rill.Common;
using Rill.Protocol;
using Rill.Protocol.Records;
using Rill.Storage.Tests.Records;

namespace Rill.Storage.Tests;

/// <summary>Fetch's reads as file regions: the same batches as a buffered read, copied from the file only when written.</summary>
public sealed class LogReadFileRegionTests : IDisposable
{
    private readonly StorageFixture _fixture = new();
    private readonly Log _log;

    public LogReadFileRegionTests()
    {
        _log = _fixture.CreateLog(LogConfig.Default with { IndexIntervalBytes = 0 });
        foreach (var count in new[] { 3, 5, 2 })
        {
            StorageFixture.Append(_log, TestBatches.Build(count, _fixture.NowMs, valueSize: 20));
        }
    }

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData(0, 1 << 20, 10L, true)]
    [InlineData(4, 1 << 20, 10L, true)]
    [InlineData(0, 1, 10L, true)]
    [InlineData(0, 1, 10L, false)]
    [InlineData(0, 1 << 20, 8L, true)]
    [InlineData(3, 200, 10L, true)]
    public void ReadFileRegion_SameBatchesAndCountsAsRead(long offset, int maxBytes, long maxOffset, bool minOneBatch)
    {
        using var buffered = _log.Read(offset, maxBytes, maxOffset, minOneBatch);
        using var region = _log.ReadFileRegion(offset, maxBytes, maxOffset, minOneBatch);

        Assert.Equal((buffered.ErrorCode, buffered.RecordCount, buffered.Records.Length), (region.ErrorCode, region.RecordCount, region.Records.Length));
        Assert.Equal(buffered.Records.ToArray(), CopyFromFile(region.Records));
        Assert.Equal(buffered.Records.ToArray(), region.Records.Span.ToArray());
    }

    [Theory]
    [InlineData(0, 1 << 20, 1000L)]
    [InlineData(0, 10_000, 1000L)]
    [InlineData(57, 7_777, 1000L)]
    [InlineData(0, 1 << 20, 333L)]
    [InlineData(120, 30_000, 480L)]
    public void ReadFileRegion_ManyBatchesWithASparseIndex_SameBatchesAndCountsAsRead(long offset, int maxBytes, long maxOffset)
    {
        var log = _fixture.Manager.GetOrCreateLog(new TopicPartition("sparse", 0), LogConfig.Default with { IndexIntervalBytes = 2048 });
        for (var i = 0; i < 100; i++)
        {
            StorageFixture.Append(log, TestBatches.Build(1 + (i % 9), _fixture.NowMs, valueSize: 100 + (i * 37 % 500)));
        }

        using var buffered = log.Read(offset, maxBytes, maxOffset, minOneBatch: true);
        using var region = log.ReadFileRegion(offset, maxBytes, maxOffset, minOneBatch: true);

        Assert.Equal((buffered.ErrorCode, buffered.RecordCount, buffered.Records.Length), (region.ErrorCode, region.RecordCount, region.Records.Length));
        Assert.Equal(buffered.Records.ToArray(), CopyFromFile(region.Records));
    }

    [Fact]
    public void ReadFileRegion_IsAFileRegionThatTheWriterCopiesFromTheFile()
    {
        using var region = _log.ReadFileRegion(0, 1 << 20, 10, minOneBatch: true);
        Assert.True(MemoryMarshal.TryGetMemoryManager(region.Records, out RecordsRegionManager? _));

        var written = new byte[KafkaSize.Records(region.Records, compact: false)];
        var writer = new KafkaWriter(written);
        writer.WriteRecords(region.Records, compact: false);

        using var buffered = _log.Read(0, 1 << 20, 10, minOneBatch: true);
        Assert.Equal(written.Length, writer.Position);
        Assert.Equal(buffered.Records.ToArray(), written[4..]);
    }

    [Fact]
    public void ReadFileRegion_LogClosedBeforeTheResponseIsWritten_StillCopiesTheBatches()
    {
        using var buffered = _log.Read(0, 1 << 20, 10, minOneBatch: true);
        var expected = buffered.Records.ToArray();
        var region = _log.ReadFileRegion(0, 1 << 20, 10, minOneBatch: true);

        _fixture.Shutdown();

        Assert.Equal(expected, CopyFromFile(region.Records));
        region.Dispose();
        Assert.Equal(0, region.Records.Length);
    }

    [Fact]
    public void ReadFileRegion_OutOfRange_IsAnErrorWithoutRecords()
    {
        using var region = _log.ReadFileRegion(11, 1 << 20, 10, minOneBatch: true);

        Assert.Equal((ErrorCode.OffsetOutOfRange, 0), (region.ErrorCode, region.Records.Length));
    }

    private static byte[] CopyFromFile(ReadOnlyMemory<byte> records)
    {
        if (records.IsEmpty)
        {
            return [];
        }

        Assert.True(MemoryMarshal.TryGetMemoryManager(records, out RecordsRegionManager? manager, out var start, out var length));
        var copy = new byte[length];
        manager.CopyTo(start, copy);
        return copy;
    }
}
