namespace Rill.Cli.Perf;

/// <summary><c>--keys</c>: whether records carry keys, and in which order they are drawn from the <c>--key-count</c> keys.</summary>
internal enum KeyDistribution
{
    None,
    Random,
    Sequential,
}
