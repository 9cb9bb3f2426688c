using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Rill.Server.Observability;

/// <summary>
/// Log levels that change while the broker runs: Kafka's BROKER_LOGGER resource. A root level (from
/// <c>log.level</c>) and per-logger levels, a logger (a category such as <c>Rill.Storage.Log</c>) taking the level
/// of its nearest dotted prefix that has one. <see cref="AddTo"/> makes a logging builder consult it on every
/// <c>IsEnabled</c>, so a change applies to loggers already created; each category's effective level is cached
/// until the next change. Like Kafka's, the levels are not persisted: a restart starts again from <c>log.level</c>.
/// </summary>
public sealed class LogLevels
{
    /// <summary>The logger every other one inherits from.</summary>
    public const string RootLogger = "root";

    /// <summary>Kafka's level names (log4j), in the order DescribeConfigs documents them.</summary>
    public static readonly IReadOnlyList<string> LevelNames = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<string, byte> _known = new(StringComparer.Ordinal);
    private ImmutableDictionary<string, LogLevel> _levels;
    private ConcurrentDictionary<string, LogLevel> _effective = new(StringComparer.Ordinal);

    /// <param name="root">The root level (<c>log.level</c>).</param>
    /// <param name="initial">Loggers given a level from the start, e.g. <c>Microsoft</c> at Warning.</param>
    public LogLevels(LogLevel root, IReadOnlyDictionary<string, LogLevel>? initial = null)
    {
        var levels = ImmutableDictionary.CreateBuilder<string, LogLevel>(StringComparer.Ordinal);
        levels[RootLogger] = root;
        foreach (var (name, level) in initial ?? ImmutableDictionary<string, LogLevel>.Empty)
        {
            levels[name] = level;
            _known.TryAdd(name, 0);
        }

        _levels = levels.ToImmutable();
        _known.TryAdd(RootLogger, 0);
    }

    /// <summary>Makes <paramref name="builder"/>'s loggers follow these levels, and learns every category created.</summary>
    public ILoggingBuilder AddTo(ILoggingBuilder builder)
    {
        builder.SetMinimumLevel(LogLevel.Trace);
        builder.AddFilter((category, level) => IsEnabled(category ?? RootLogger, level));
        builder.AddProvider(new CategoryObserver(this));
        return builder;
    }

    public bool IsEnabled(string category, LogLevel level) => level != LogLevel.None && level >= EffectiveLevel(category);

    /// <summary>The level <paramref name="logger"/> logs at: its own, its nearest dotted prefix's, or the root's.</summary>
    public LogLevel EffectiveLevel(string logger)
    {
        var cache = Volatile.Read(ref _effective);
        if (cache.TryGetValue(logger, out var level))
        {
            return level;
        }

        _known.TryAdd(logger, 0);
        level = Resolve(Volatile.Read(ref _levels), logger);
        cache.TryAdd(logger, level);
        return level;
    }

    /// <summary>Every logger created so far (and every one given a level), with the level it logs at, by name.</summary>
    public IReadOnlyList<KeyValuePair<string, LogLevel>> Loggers() =>
        [.. _known.Keys.Order(StringComparer.Ordinal).Select(name => KeyValuePair.Create(name, EffectiveLevel(name)))];

    /// <summary>Whether <paramref name="logger"/> is a logger created so far, or a dotted prefix of one (<c>Rill.Storage</c>).</summary>
    public bool Exists(string logger) =>
        _known.ContainsKey(logger) || _known.Keys.Any(name => name.StartsWith(logger + ".", StringComparison.Ordinal));

    /// <summary>Gives <paramref name="logger"/> (or the root) its own level.</summary>
    public void Set(string logger, LogLevel level) => Change(levels => levels.SetItem(logger, level));

    /// <summary>Removes <paramref name="logger"/>'s own level, so it inherits again; the root's cannot be removed.</summary>
    public void Reset(string logger)
    {
        if (logger == RootLogger)
        {
            throw new ArgumentException("The root logger's level cannot be removed.", nameof(logger));
        }

        Change(levels => levels.Remove(logger));
    }

    /// <summary>Kafka's name of a level (INFO, WARN ...).</summary>
    public static string NameOf(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN",
        LogLevel.Error => "ERROR",
        _ => "FATAL",
    };

    /// <summary>The level a Kafka level name stands for; false for anything else.</summary>
    public static bool TryParse(string? name, out LogLevel level)
    {
        (var known, level) = name switch
        {
            "TRACE" => (true, LogLevel.Trace),
            "DEBUG" => (true, LogLevel.Debug),
            "INFO" => (true, LogLevel.Information),
            "WARN" => (true, LogLevel.Warning),
            "ERROR" => (true, LogLevel.Error),
            "FATAL" => (true, LogLevel.Critical),
            _ => (false, LogLevel.None),
        };
        return known;
    }

    private void Change(Func<ImmutableDictionary<string, LogLevel>, ImmutableDictionary<string, LogLevel>> change)
    {
        lock (_lock)
        {
            Volatile.Write(ref _levels, change(_levels));
            Volatile.Write(ref _effective, new ConcurrentDictionary<string, LogLevel>(StringComparer.Ordinal));
        }
    }

    private static LogLevel Resolve(ImmutableDictionary<string, LogLevel> levels, string logger)
    {
        for (var name = logger; ; name = name[..name.LastIndexOf('.')])
        {
            if (levels.TryGetValue(name, out var level))
            {
                return level;
            }

            if (!name.Contains('.', StringComparison.Ordinal))
            {
                return levels[RootLogger];
            }
        }
    }

    /// <summary>A provider that writes nothing: it only tells <see cref="LogLevels"/> the name of every logger created.</summary>
    private sealed class CategoryObserver(LogLevels levels) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName)
        {
            levels._known.TryAdd(categoryName, 0);
            return Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        }

        public void Dispose()
        {
        }
    }
}
