using System.Globalization;
using Spectre.Console;

namespace Rill.Cli.Perf;

/// <summary>
/// A live progress line on stderr while a perf run works: a Spectre progress bar when stderr is a terminal and the
/// output is not JSON (as <see cref="ProgressDisplay"/>), plain lines once a second with <c>--progress</c> otherwise,
/// and nothing by default, so scripts never see it.
/// </summary>
internal static class PerfProgress
{
    private static readonly TimeSpan BarInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(1);

    /// <param name="totalRecords">Records the run will do, for a bar; else <paramref name="duration"/> measures progress; else a spinner.</param>
    public static async Task<T> RunAsync<T>(
        CliContext context,
        bool forced,
        string description,
        PerfCounters counters,
        long? totalRecords,
        TimeSpan? duration,
        Func<Task<T>> work)
    {
        var timeProvider = context.Console.TimeProvider;
        if (context.Progress is { } console)
        {
            return await console.Progress()
                .AutoClear(enabled: true)
                .HideCompleted(enabled: true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask(Markup.Escape(description), maxValue: totalRecords ?? duration?.TotalSeconds ?? 1);
                    task.IsIndeterminate = totalRecords is null && duration is null;
                    var start = timeProvider.GetTimestamp();
                    return await WithSamplesAsync(timeProvider, BarInterval, counters, work, line =>
                    {
                        task.Description = Markup.Escape($"{description}: {line}");
                        var done = totalRecords is not null ? counters.Records : timeProvider.GetElapsedTime(start).TotalSeconds;
                        task.Value = Math.Min(done, task.MaxValue);
                    });
                });
        }

        if (!forced)
        {
            return await work();
        }

        return await WithSamplesAsync(timeProvider, LineInterval, counters, work, line =>
        {
            context.Console.Error.Write($"{description}: {line}\n");
            context.Console.Error.Flush();
        });
    }

    /// <summary>Runs <paramref name="work"/> and, every <paramref name="interval"/> until it ends, reports the rates of the last interval.</summary>
    private static async Task<T> WithSamplesAsync<T>(TimeProvider timeProvider, TimeSpan interval, PerfCounters counters, Func<Task<T>> work, Action<string> report)
    {
        using var stop = new CancellationTokenSource();
        var sampling = SampleAsync(timeProvider, interval, counters, report, stop.Token);
        try
        {
            return await work();
        }
        finally
        {
            await stop.CancelAsync();
            await sampling;
        }
    }

    private static async Task SampleAsync(TimeProvider timeProvider, TimeSpan interval, PerfCounters counters, Action<string> report, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, timeProvider);
        var last = timeProvider.GetTimestamp();
        var (lastRecords, lastBytes) = (counters.Records, counters.Bytes);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = timeProvider.GetTimestamp();
                var seconds = timeProvider.GetElapsedTime(last, now).TotalSeconds;
                var (records, bytes) = (counters.Records, counters.Bytes);
                if (seconds > 0)
                {
                    var failed = counters.Failed > 0 ? string.Create(CultureInfo.InvariantCulture, $", {counters.Failed:N0} failed") : string.Empty;
                    report(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{records:N0} records, {(records - lastRecords) / seconds:N0} records/s, {(bytes - lastBytes) / seconds / (1 << 20):F2} MiB/s{failed}"));
                }

                (last, lastRecords, lastBytes) = (now, records, bytes);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The work ended; so does the display.
        }
    }
}
