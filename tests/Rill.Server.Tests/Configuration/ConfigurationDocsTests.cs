using System.Runtime.CompilerServices;
using Rill.Config;

namespace Rill.Server.Tests.Configuration;

/// <summary>docs/configuration.md lists every key with its type, default and (broker keys) update mode, so the two cannot drift apart.</summary>
public sealed class ConfigurationDocsTests
{
    [Fact]
    public void Docs_ListEveryKeyOnceWithTypeDefaultAndUpdateMode()
    {
        var rows = File.ReadAllLines(DocsPath())
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => line.Split(" | "))
            .ToList();

        var keys = BrokerConfigs.All.Concat(TopicConfigs.All).ToList();
        Assert.Equal(keys.Count, rows.Count);
        foreach (var definition in keys)
        {
            var row = Assert.Single(rows, cells => cells[0] == $"| `{definition.Name}`" && IsScope(definition, cells));
            Assert.Equal(definition.Type.ToString().ToLowerInvariant(), row[1]);
            var expectedDefault = definition.DefaultText switch
            {
                null => "unset",
                "" => "empty",
                var text => $"`{text}`",
            };
            Assert.Equal(expectedDefault, row[2]);
            if (definition.Scope == ConfigScope.Broker)
            {
                Assert.Equal(definition.IsDynamic ? "cluster-wide" : "read-only", row[3]);
            }
        }
    }

    // Topic rows have a synonyms column, broker rows an update mode; a key that is both a broker and a topic key has a
    // row in each table.
    private static bool IsScope(ConfigDefinition definition, string[] cells) =>
        definition.Scope == ConfigScope.Topic ? cells.Length == 7 : cells.Length == 6;

    private static string DocsPath([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "..", "docs", "configuration.md"));
}
