using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Rill.Raft.Tests;

public sealed class RaftLogTests
{
    [Fact]
    public void RaftLog_EventIdsAreUniqueAndInTheRaftClientRange()
    {
        var ids = typeof(KafkaRaftClient).Assembly.GetType("Rill.Raft.RaftLog", throwOnError: true)!
            .GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(static m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .Select(static a => a.EventId)
            .ToList();

        Assert.NotEmpty(ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, static id => Assert.InRange(id, 6000, 6099));
    }
}
