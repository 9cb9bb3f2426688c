using System.Reflection;

namespace Rill.Architecture.Tests;

/// <summary>
/// The layer table of STYLE.md §1, checked on the compiled assemblies: a reference that points up a layer
/// fails here, not in review.
/// </summary>
public sealed class LayeringTests
{
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["Rill.Common"] = [],
        ["Rill.Protocol"] = ["Rill.Common"],
        ["Rill.Storage"] = ["Rill.Common", "Rill.Protocol"],
        ["Rill.Config"] = ["Rill.Common", "Rill.Protocol", "Rill.Storage"],
        ["Rill.Raft"] = ["Rill.Common", "Rill.Protocol", "Rill.Storage"],
        ["Rill.Metadata"] = ["Rill.Common", "Rill.Protocol", "Rill.Config"],
        ["Rill.Replication"] = ["Rill.Common", "Rill.Protocol", "Rill.Storage", "Rill.Config", "Rill.Metadata", "Rill.Client"],
        ["Rill.Coordinator"] = ["Rill.Common", "Rill.Protocol", "Rill.Metadata"],
        ["Rill.Server"] = ["Rill.Common", "Rill.Protocol", "Rill.Storage", "Rill.Config", "Rill.Raft", "Rill.Metadata", "Rill.Replication", "Rill.Coordinator", "Rill.Client"],
        ["Rill.Client"] = ["Rill.Common", "Rill.Protocol"],
        ["Rill.Cli"] = ["Rill.Common", "Rill.Protocol", "Rill.Client"],
        ["rill"] = ["Rill.Common", "Rill.Protocol", "Rill.Storage", "Rill.Config", "Rill.Raft", "Rill.Metadata", "Rill.Replication", "Rill.Coordinator", "Rill.Server", "Rill.Client", "Rill.Cli"],
    };

    public static TheoryData<string> Assemblies() => [.. Allowed.Keys];

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Assembly_ReferencesOnlyTheLayersBelowIt(string name)
    {
        var assembly = Assembly.Load(name);
        var references = assembly.GetReferencedAssemblies()
            .Select(r => r.Name!)
            .Where(IsRill)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.All(references, reference => Assert.Contains(reference, Allowed[name]));
    }

    [Fact]
    public void EveryRillAssemblyInTheBuild_IsInTheTable()
    {
        var found = Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(n => n is not null && IsRill(n) && !n.EndsWith(".Tests", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.All(found, name => Assert.True(Allowed.ContainsKey(name!), $"{name} is not in the layer table"));
        Assert.Contains("Rill.Server", found);
    }

    private static bool IsRill(string name) => name == "rill" || name.StartsWith("Rill.", StringComparison.Ordinal);
}
