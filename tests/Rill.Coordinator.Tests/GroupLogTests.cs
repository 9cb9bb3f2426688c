using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Rill.Coordinator.Tests;

public sealed class GroupLogTests
{
    [Fact]
    public void EventIds_AreUniqueAndInTheCoordinatorsRange()
    {
        var ids = typeof(GroupCoordinator).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .Select(a => a.EventId)
            .ToList();

        Assert.NotEmpty(ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.InRange(id, 5000, 5999));
    }
}
