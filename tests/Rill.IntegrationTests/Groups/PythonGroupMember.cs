using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Rill.IntegrationTests.Groups;

/// <summary>
/// Clients/group_member.py in a child process (kafka-python or confluent-kafka-python), followed through the
/// JSON lines it prints; <see cref="KillAsync"/> ends it with SIGKILL, so it never leaves the group.
/// </summary>
internal sealed class PythonGroupMember : IGroupMember
{
    private readonly Process _process;
    private readonly ConcurrentQueue<ConsumedRecord> _records = new();
    private readonly ConcurrentDictionary<int, long> _committed = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private volatile IReadOnlySet<int> _assignment = new HashSet<int>();

    public PythonGroupMember(string name, string library, string bootstrapServers, string topic, string group, int idleSeconds, string reset = "earliest")
    {
        Name = name;
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Clients", "group_member.py"), library, bootstrapServers, topic, group,
            idleSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), reset,
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        _process.OutputDataReceived += (_, line) => OnLine(line.Data);
        _process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                _errors.Enqueue(line.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public IReadOnlySet<int> Assignment => _assignment;

    public IReadOnlyList<ConsumedRecord> Records => [.. _records];

    public IReadOnlyDictionary<int, long> Committed => _committed;

    public bool HasExited => _process.HasExited;

    public string StandardError => string.Join('\n', _errors);

    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _assignment = new HashSet<int>();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (string.IsNullOrWhiteSpace(line) || !line.StartsWith('{'))
        {
            return;
        }

        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        switch (root.GetProperty("event").GetString())
        {
            case "assigned":
                var now = new HashSet<int>(_assignment);
                now.UnionWith(root.GetProperty("partitions").EnumerateArray().Select(p => p.GetInt32()));
                _assignment = now;
                break;
            case "revoked":
                var remaining = new HashSet<int>(_assignment);
                remaining.ExceptWith(root.GetProperty("partitions").EnumerateArray().Select(p => p.GetInt32()));
                _assignment = remaining;
                break;
            case "record":
                _records.Enqueue(new ConsumedRecord(
                    Name,
                    root.GetProperty("partition").GetInt32(),
                    root.GetProperty("offset").GetInt64(),
                    root.GetProperty("key").GetString()!,
                    root.GetProperty("value").GetString()!));
                break;
            case "committed":
                _committed[root.GetProperty("partition").GetInt32()] = root.GetProperty("offset").GetInt64();
                break;
            case "error":
                _errors.Enqueue(root.GetProperty("error").GetString()!);
                break;
        }
    }
}
