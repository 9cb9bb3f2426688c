using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rill.TestKit;

/// <summary>
/// <c>rill serve</c> as a child process, for tests that must kill a broker the hard way (SIGKILL) and
/// start it again on the same data. Expects rill.dll beside the test assembly.
/// </summary>
public sealed class RillProcess : IAsyncDisposable
{
    private readonly Process _process;

    private RillProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string BootstrapServers => $"127.0.0.1:{Port}";

    /// <summary>The broker's process id (with an open-file limit too: bash execs it, so the id is the broker's).</summary>
    public int ProcessId => _process.Id;

    public static Task<RillProcess> StartAsync(string dataDirectory, int port, params string[] overrides) =>
        StartAsync(dataDirectory, port, openFileLimit: null, overrides);

    /// <summary>Starts <c>rill serve</c>, under <c>ulimit -n <paramref name="openFileLimit"/></c> when one is given.</summary>
    public static async Task<RillProcess> StartAsync(string dataDirectory, int port, int? openFileLimit, params string[] overrides)
    {
        var rill = Launch(dataDirectory, port, openFileLimit, overrides);
        await rill.WaitUntilListeningAsync(TimeSpan.FromSeconds(30));
        return rill;
    }

    /// <summary>
    /// Starts <c>rill serve</c> without waiting for it: the nodes of a cluster are launched together, since each one
    /// listens for clients only once a majority of the quorum is up.
    /// </summary>
    public static RillProcess Launch(string dataDirectory, int port, int? openFileLimit, params string[] overrides)
    {
        var start = new ProcessStartInfo(openFileLimit is null ? "dotnet" : "bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (openFileLimit is { } limit)
        {
            // exec keeps the process id, so killing and waiting reach the broker itself; "$@" passes the arguments untouched.
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ulimit -n {limit} && exec dotnet \"$@\""));
            start.ArgumentList.Add("rill");
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rill.dll"));
        start.ArgumentList.Add("serve");
        foreach (var setting in new[] { $"listeners=PLAINTEXT://127.0.0.1:{port}", $"log.dirs={dataDirectory}", "admin.listener=127.0.0.1:0" }.Concat(overrides))
        {
            start.ArgumentList.Add("--override");
            start.ArgumentList.Add(setting);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("rill serve did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new RillProcess(process, port);
    }

    /// <summary>Waits until the broker accepts connections on its port; throws when the process exits first.</summary>
    public async Task WaitUntilListeningAsync(TimeSpan timeout)
    {
        var process = _process;
        var port = Port;
        await Eventually.UntilAsync(
            async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"rill serve exited with code {process.ExitCode} before listening.");
                }

                using var probe = new TcpClient();
                try
                {
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            timeout,
            $"rill serve to listen on port {port}");
    }

    /// <summary>A port that was free a moment ago (the child binds it by number).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flush, no clean-shutdown marker.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGSTOP: the process stays, frozen, holding its sockets open and answering nothing.</summary>
    public void Pause() => Signal("-STOP");

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume() => Signal("-CONT");

    /// <summary>SIGTERM, then waits for the graceful stop; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public bool HasExited => _process.HasExited;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private void Signal(string signal) =>
        Process.Start("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
}
