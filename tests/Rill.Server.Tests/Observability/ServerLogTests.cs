using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Rill.Server.Tests.Observability;

public sealed class ServerLogTests
{
    [Fact]
    public void EventIds_AreUniqueInTheServer_AndOnlyObservabilityUses1100To1199()
    {
        var messages = typeof(RillNode).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Select(m => (m.DeclaringType!.Name, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(m => m.Attribute is not null)
            .Select(m => (m.Name, m.Attribute!.EventId))
            .ToList();

        Assert.Equal(messages.Count, messages.Select(m => m.EventId).Distinct().Count());
        Assert.Contains(messages, m => m.Name == "ObservabilityLog");
        Assert.All(messages, m => Assert.Equal(m.Name == "ObservabilityLog", m.EventId is >= 1100 and <= 1199));
    }
}
