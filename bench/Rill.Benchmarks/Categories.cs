namespace Rill.Benchmarks;

/// <summary>The layers of STYLE.md §13, for <c>[BenchmarkCategory]</c> and <c>--anyCategories</c>.</summary>
public static class Categories
{
    public const string Protocol = "Protocol";
    public const string Records = "Records";
    public const string Storage = "Storage";
    public const string Server = "Server";
}
