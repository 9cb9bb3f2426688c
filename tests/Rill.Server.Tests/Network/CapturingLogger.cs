using Microsoft.Extensions.Logging;

namespace Rill.Server.Tests.Network;

/// <summary>Keeps every log entry at Debug and above, with its structured fields, for tests to assert on.</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly Lock _lock = new();
    private readonly List<Entry> _entries = [];

    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var fields = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
        var entry = new Entry(logLevel, eventId.Id, formatter(state, exception), exception, fields.ToDictionary(f => f.Key, f => f.Value));
        lock (_lock)
        {
            _entries.Add(entry);
        }
    }

    public sealed record Entry(LogLevel Level, int EventId, string Message, Exception? Exception, IReadOnlyDictionary<string, object?> Fields);
}
