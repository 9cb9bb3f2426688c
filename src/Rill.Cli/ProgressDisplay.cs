using Spectre.Console;

namespace Rill.Cli;

/// <summary>
/// Progress of a long operation on stderr, only when stderr is a terminal and the output is not JSON; otherwise
/// the work runs with a callback that does nothing.
/// </summary>
internal static class ProgressDisplay
{
    /// <summary>Runs <paramref name="work"/> with a progress bar of <paramref name="maxValue"/> steps, or a spinner when null.</summary>
    public static Task<T> RunAsync<T>(CliContext context, string description, double? maxValue, Func<Action<double>, Task<T>> work) =>
        RunAsync(context, description, maxValue, show: true, work);

    /// <summary>As above; <paramref name="show"/> false runs the work without any display.</summary>
    public static async Task<T> RunAsync<T>(CliContext context, string description, double? maxValue, bool show, Func<Action<double>, Task<T>> work)
    {
        var console = show ? context.Progress : null;
        if (console is null)
        {
            return await work(static _ => { });
        }

        return await console.Progress()
            .AutoClear(enabled: true)
            .HideCompleted(enabled: true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(Markup.Escape(description), maxValue: maxValue ?? 1);
                task.IsIndeterminate = maxValue is null;
                try
                {
                    return await work(value => task.Value = Math.Min(value, task.MaxValue));
                }
                finally
                {
                    task.StopTask();
                }
            });
    }
}
