using Rill.Common;
using Rill.Storage.Tests.Records;

namespace Rill.Storage.Tests;

/// <summary>
/// Running out of file handles or space while a log is created, loaded or rolled fails that one operation: the data
/// directory stays online, nothing half-made is left behind, and the partition is tried again later.
/// </summary>
public sealed class LogCreationFailureTests : IDisposable
{
    private const int Eio = 5;
    private const int Enfile = 23;
    private const int Emfile = 24;
    private const int Enospc = 28;

    private static readonly TopicPartition Big = new("big", 7);

    private readonly StorageFixture _fixture = new();

    public void Dispose()
    {
        SegmentFiles.OpenFault = null;
        _fixture.Dispose();
    }

    [Theory]
    [InlineData(Emfile)]
    [InlineData(Enfile)]
    [InlineData(Enospc)]
    public void GetOrCreateLog_OutOfHandlesOrSpace_FailsThatPartitionOnly(int errno)
    {
        var existing = _fixture.CreateLog();
        _fixture.Append(existing, 2);
        // The .log is opened first: the failure comes with one of the partition's files already open and on disk.
        SegmentFiles.OpenFault = path => path.EndsWith(".index", StringComparison.Ordinal) ? OsError(errno, path) : null;

        var failure = Assert.Throws<LogCreationException>(() => _fixture.Manager.GetOrCreateLog(Big, LogConfig.Default));

        Assert.Equal(ErrorCode.KafkaStorageError, failure.ErrorCode);
        Assert.Equal(Big, failure.TopicPartition);
        Assert.Equal(errno, failure.InnerException!.HResult);
        Assert.Empty(_fixture.Manager.OfflineLogDirs);
        Assert.False(Directory.Exists(_fixture.PartitionDir(Big)));
        Assert.False(_fixture.Manager.TryGetLog(Big, out _));
        Assert.Equal([Big], _fixture.Manager.FailedLogs.Keys);
        SegmentFiles.OpenFault = null;
        Assert.Equal(2, _fixture.Append(existing, 3).FirstOffset);
    }

    [Fact]
    public void GetOrCreateLog_AfterAFailure_AnswersFromMemoryUntilTheBackoffPasses_ThenCreatesIt()
    {
        SegmentFiles.OpenFault = path => OsError(Emfile, path);
        Assert.Throws<LogCreationException>(() => _fixture.Manager.GetOrCreateLog(Big, LogConfig.Default));
        SegmentFiles.OpenFault = null;

        _fixture.Time.Advance(_fixture.Manager.CreationRetryBackoff - TimeSpan.FromMilliseconds(1));
        var again = Assert.Throws<LogCreationException>(() => _fixture.Manager.GetOrCreateLog(Big, LogConfig.Default));
        Assert.Contains("Too many open files", again.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_fixture.PartitionDir(Big)));

        _fixture.Time.Advance(TimeSpan.FromMilliseconds(1));
        var log = _fixture.Manager.GetOrCreateLog(Big, LogConfig.Default);

        Assert.Equal(0, _fixture.Append(log, 1).FirstOffset);
        Assert.Empty(_fixture.Manager.FailedLogs);
        Assert.True(File.Exists(_fixture.SegmentFile(0, ".timeindex", Big)));
    }

    [Fact]
    public void GetOrCreateLog_OtherIoError_TakesTheLogDirOffline()
    {
        var existing = _fixture.CreateLog();
        SegmentFiles.OpenFault = path => OsError(Eio, path);

        var failure = Assert.Throws<KafkaException>(() => _fixture.Manager.GetOrCreateLog(Big, LogConfig.Default));

        Assert.IsNotType<LogCreationException>(failure);
        Assert.Equal(ErrorCode.KafkaStorageError, failure.ErrorCode);
        Assert.Equal([Path.GetFullPath(_fixture.LogDir)], _fixture.Manager.OfflineLogDirs);
        Assert.Equal(ErrorCode.KafkaStorageError, existing.AppendAsLeader(TestBatches.Build(1, _fixture.NowMs), 0).ErrorCode);
    }

    [Fact]
    public void GetOrCreateLog_EveryLogDirOffline_ThrowsLogCreationException()
    {
        _fixture.CreateLog();
        SegmentFiles.OpenFault = path => OsError(Eio, path);
        Assert.Throws<KafkaException>(() => _fixture.Manager.GetOrCreateLog(Big, LogConfig.Default));
        SegmentFiles.OpenFault = null;

        var failure = Assert.Throws<LogCreationException>(() => _fixture.Manager.GetOrCreateLog(new TopicPartition("other", 0), LogConfig.Default));

        Assert.Equal(ErrorCode.KafkaStorageError, failure.ErrorCode);
        Assert.Contains("every log dir is offline", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadLogs_OnePartitionOutOfHandles_OthersLoad_AndItOpensLaterWithItsData()
    {
        _fixture.Append(_fixture.CreateLog(), 3);
        _fixture.Append(_fixture.Manager.GetOrCreateLog(Big, LogConfig.Default), 4);
        _fixture.Shutdown();
        var bigDir = _fixture.PartitionDir(Big);
        SegmentFiles.OpenFault = path => path.StartsWith(bigDir, StringComparison.Ordinal) ? OsError(Emfile, path) : null;

        var result = _fixture.Reopen();

        Assert.Equal([StorageFixture.Partition], result.Logs.Select(l => l.TopicPartition));
        Assert.Equal([Big], _fixture.Manager.FailedLogs.Keys);
        Assert.Empty(_fixture.Manager.OfflineLogDirs);
        Assert.True(Directory.Exists(bigDir));
        Assert.Equal(3, _fixture.Append(_fixture.ReopenedLog(), 1).FirstOffset);

        SegmentFiles.OpenFault = null;
        _fixture.Time.Advance(_fixture.Manager.CreationRetryBackoff);
        var big = _fixture.Manager.GetOrCreateLog(Big, LogConfig.Default);

        Assert.Equal(4, big.LogEndOffset);
        Assert.Equal(4, _fixture.Append(big, 1).FirstOffset);
        Assert.Empty(_fixture.Manager.FailedLogs);
    }

    [Fact]
    public void Append_RollOutOfHandles_FailsThatAppendOnly_AndTheNextAppendRolls()
    {
        var batchSize = TestBatches.Build(3, _fixture.NowMs).Length;
        var log = _fixture.CreateLog(LogConfig.Default with { SegmentBytes = batchSize });
        _fixture.Append(log, 3);
        SegmentFiles.OpenFault = path => path.EndsWith(".timeindex", StringComparison.Ordinal) ? OsError(Emfile, path) : null;

        var failed = log.AppendAsLeader(TestBatches.Build(3, _fixture.NowMs), 0);

        Assert.Equal(ErrorCode.KafkaStorageError, failed.ErrorCode);
        Assert.Contains("Too many open files", failed.ErrorMessage, StringComparison.Ordinal);
        Assert.Empty(_fixture.Manager.OfflineLogDirs);
        Assert.Equal(3, log.LogEndOffset);
        Assert.Equal([0], log.SegmentBaseOffsets);
        Assert.False(File.Exists(_fixture.SegmentFile(3, ".log")));
        Assert.False(File.Exists(_fixture.SegmentFile(3, ".index")));

        SegmentFiles.OpenFault = null;
        Assert.Equal(3, _fixture.Append(log, 3).FirstOffset);
        Assert.Equal([0, 3], log.SegmentBaseOffsets);
        Assert.Equal([0, 3], StorageFixture.BaseOffsets(StorageFixture.ReadAll(log)));
    }

    [Fact]
    public void DeleteLog_OfAFailedPartition_ForgetsTheFailure()
    {
        SegmentFiles.OpenFault = path => OsError(Emfile, path);
        Assert.Throws<LogCreationException>(() => _fixture.Manager.GetOrCreateLog(Big, LogConfig.Default));
        SegmentFiles.OpenFault = null;

        _fixture.Manager.DeleteLog(Big);

        Assert.Empty(_fixture.Manager.FailedLogs);
        Assert.Equal(0, _fixture.Manager.GetOrCreateLog(Big, LogConfig.Default).LogEndOffset);
    }

    /// <summary>What .NET on Linux throws for a failed open(2): the errno as HResult, strerror and the path as message.</summary>
    private static IOException OsError(int errno, string path) => new(errno switch
    {
        Emfile => "Too many open files",
        Enfile => "Too many open files in system",
        Enospc => "No space left on device",
        _ => "Input/output error",
    } + $" : '{path}'", errno);
}
