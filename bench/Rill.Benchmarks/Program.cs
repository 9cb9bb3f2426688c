using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace Rill.Benchmarks;

/// <summary>
/// Entry point: BenchmarkDotNet's switcher, so <c>--filter '*Produce*'</c>, <c>--anyCategories Storage</c>,
/// <c>--job short</c> and <c>--list flat</c> work as documented by BenchmarkDotNet.
/// </summary>
public static class Program
{
    /// <summary>Ours, not BenchmarkDotNet's: build a child project per benchmark instead of running in this process.</summary>
    private const string OutOfProcessFlag = "--outOfProcess";

    public static void Main(string[] args)
    {
        // In-process by default: the out-of-process toolchain builds a generated project that references this one,
        // which rebuilds src/ into its default bin/obj folders. On the shared machine other engineers build there too,
        // and it ignores the --artifacts-path this project was built with.
        var outOfProcess = args.Contains(OutOfProcessFlag, StringComparer.OrdinalIgnoreCase);
        string[] forwarded = outOfProcess
            ? [.. args.Where(a => !string.Equals(a, OutOfProcessFlag, StringComparison.OrdinalIgnoreCase))]
            : args.Contains("--inProcess", StringComparer.OrdinalIgnoreCase) ? args : [.. args, "--inProcess"];

        // Median and Min next to the mean: on a machine shared with builds and tests, a neighbour's burst lands in
        // a few iterations and drags the mean; the median and the fastest iteration show what the code itself costs.
        var config = DefaultConfig.Instance.AddColumn(StatisticColumn.Median, StatisticColumn.Min);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(forwarded, config);
    }
}
