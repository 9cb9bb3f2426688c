using System.Reflection;
using Microsoft.Extensions.Logging;
using Rill.Common;

namespace Rill.Storage.Tests;

public sealed class LogManagerTests : IDisposable
{
    private readonly StorageFixture _fixture = new(logDirCount: 2);

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void GetOrCreateLog_SpreadsNewPartitionsOverTheLogDirs()
    {
        for (var partition = 0; partition < 4; partition++)
        {
            _fixture.Manager.GetOrCreateLog(new TopicPartition("t", partition), LogConfig.Default);
        }

        Assert.Equal(2, _fixture.Manager.Logs.Count(l => l.LogDir == Path.GetFullPath(_fixture.LogDirs[0])));
        Assert.Equal(2, _fixture.Manager.Logs.Count(l => l.LogDir == Path.GetFullPath(_fixture.LogDirs[1])));
        Assert.True(Directory.Exists(Path.Combine(_fixture.LogDirs[0], "t-0")));
        Assert.True(Directory.Exists(Path.Combine(_fixture.LogDirs[1], "t-1")));
    }

    [Fact]
    public void GetOrCreateLog_Twice_ReturnsTheSameLog()
    {
        var first = _fixture.Manager.GetOrCreateLog(StorageFixture.Partition, LogConfig.Default);

        Assert.Same(first, _fixture.Manager.GetOrCreateLog(StorageFixture.Partition, LogConfig.Default with { SegmentBytes = 100 }));
        Assert.True(_fixture.Manager.TryGetLog(StorageFixture.Partition, out var found));
        Assert.Same(first, found);
    }

    [Theory]
    [InlineData("bad/topic", 0)]
    [InlineData("", 0)]
    [InlineData("ok", -1)]
    public void GetOrCreateLog_InvalidTopicPartition_Throws(string topic, int partition)
    {
        Assert.Throws<ArgumentException>(() => _fixture.Manager.GetOrCreateLog(new TopicPartition(topic, partition), LogConfig.Default));
    }

    [Fact]
    public void LoadLogs_TopicNamesWithDotsUnderscoresAndDashes_ParseFromTheLastDash()
    {
        var names = new[] { new TopicPartition("a.b_c-d", 12), new TopicPartition("-x-", 0), new TopicPartition("__consumer_offsets", 49) };
        foreach (var topicPartition in names)
        {
            _fixture.Append(_fixture.Manager.GetOrCreateLog(topicPartition, LogConfig.Default), 1);
        }

        _fixture.Shutdown();
        Directory.CreateDirectory(Path.Combine(_fixture.LogDirs[0], "not-a-partition"));

        var result = _fixture.Reopen();

        Assert.Equal(names.Select(n => n.ToString()).Order(), result.Logs.Select(l => l.TopicPartition.ToString()).Order());
        Assert.All(names, n => Assert.True(_fixture.Manager.TryGetLog(n, out _)));
    }

    [Fact]
    public void DeleteLog_RemovesTheDirectoryAndTheLog()
    {
        var log = _fixture.CreateLog();
        _fixture.Append(log, 3);
        var dir = log.Dir;

        _fixture.Manager.DeleteLog(StorageFixture.Partition);

        Assert.False(Directory.Exists(dir));
        Assert.False(_fixture.Manager.TryGetLog(StorageFixture.Partition, out _));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, log.AppendAsLeader(new byte[70], 0).ErrorCode);
        using (var read = log.Read(0, 100, 3, minOneBatch: true))
        {
            Assert.Equal(ErrorCode.UnknownTopicOrPartition, read.ErrorCode);
        }

        _fixture.Shutdown();
        Assert.Empty(_fixture.Reopen().Logs);
        Assert.DoesNotContain("orders 0", File.ReadAllText(Path.Combine(_fixture.LogDir, "recovery-point-offset-checkpoint")), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadLogs_LeftoverDeleteDirectory_IsRemoved()
    {
        var leftover = Path.Combine(_fixture.LogDirs[0], "orders-0.0123456789abcdef0123456789abcdef-delete");
        Directory.CreateDirectory(leftover);
        File.WriteAllBytes(Path.Combine(leftover, "00000000000000000000.log"), [1, 2, 3]);
        _fixture.Crash();

        var result = _fixture.Reopen();

        Assert.Empty(result.Logs);
        Assert.False(Directory.Exists(leftover));
    }

    [Fact]
    public void Shutdown_ThenUse_Throws()
    {
        _fixture.Manager.Shutdown();

        Assert.Throws<ObjectDisposedException>(() => _fixture.Manager.GetOrCreateLog(StorageFixture.Partition, LogConfig.Default));
    }

    [Fact]
    public void StorageLog_EventIdsAreUniqueAndInTheStorageRange()
    {
        var ids = typeof(LogManager).Assembly.GetType("Rill.Storage.StorageLog", throwOnError: true)!
            .GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .Select(a => a.EventId)
            .ToList();

        Assert.NotEmpty(ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.InRange(id, 2000, 2999));
    }

    [Fact]
    public void LogConfig_Default_MatchesKafka()
    {
        var config = LogConfig.Default;

        Assert.Equal(
            (1073741824, 604800000L, 604800000L, -1L, long.MaxValue, long.MaxValue, 4096, 10485760, 1048588, 60000L),
            (config.SegmentBytes, config.SegmentMs, config.RetentionMs, config.RetentionBytes, config.FlushMessages, config.FlushMs,
                config.IndexIntervalBytes, config.SegmentIndexBytes, config.MaxMessageBytes, config.FileDeleteDelayMs));
        Assert.Same(config, config.Validate());
    }
}
