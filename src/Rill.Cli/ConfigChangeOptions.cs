using System.CommandLine;
using Confluent.Kafka.Admin;

namespace Rill.Cli;

/// <summary>
/// The <c>--set key=value</c> / <c>--delete key</c> pair of the alter-config commands (topics and brokers): the
/// options, the rule that one of them is given, the IncrementalAlterConfigs entries they make, and the lines
/// reporting what changed.
/// </summary>
internal sealed class ConfigChangeOptions
{
    private ConfigChangeOptions(Option<KeyValuePair<string, string>[]> set, Option<string[]> delete)
    {
        Set = set;
        Delete = delete;
    }

    public Option<KeyValuePair<string, string>[]> Set { get; }

    public Option<string[]> Delete { get; }

    public static ConfigChangeOptions Create(string setDescription, string deleteDescription) => new(
        CommandOptions.KeyValues("--set", setDescription, "-s"),
        new Option<string[]>("--delete", "-d")
        {
            Description = deleteDescription,
            HelpName = "key",
            AllowMultipleArgumentsPerToken = false,
        });

    /// <summary>Adds both options to <paramref name="command"/>, and a usage error when neither is given.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Set);
        command.Options.Add(Delete);
        command.Validators.Add(result =>
        {
            // Token counts, not values: a malformed --set already has its own error and no value to read.
            if (result.GetResult(Set) is not { Tokens.Count: > 0 } && result.GetResult(Delete) is not { Tokens.Count: > 0 })
            {
                result.AddError("give at least one --set key=value or --delete key");
            }
        });
    }

    /// <summary>The keys to set (the last value of a repeated key wins) and to delete, each sorted, and the entries to send.</summary>
    public (SortedDictionary<string, string> Changes, List<string> Removals, List<ConfigEntry> Entries) Read(ParseResult parse)
    {
        var changes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in parse.GetValue(Set) ?? [])
        {
            changes[key] = value;
        }

        var removals = (parse.GetValue(Delete) ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var entries = changes.Select(c => new ConfigEntry { Name = c.Key, Value = c.Value, IncrementalOperation = AlterConfigOpType.Set })
            .Concat(removals.Select(k => new ConfigEntry { Name = k, IncrementalOperation = AlterConfigOpType.Delete }))
            .ToList();
        return (changes, removals, entries);
    }

    /// <summary>One line per change, <c>SUBJECT: set k=v</c> / <c>SUBJECT: deleted k (WHAT applies)</c>.</summary>
    public static void PrintChanges(CliContext context, string subject, IReadOnlyDictionary<string, string> changes, IReadOnlyList<string> removals, string whatApplies)
    {
        foreach (var (key, value) in changes)
        {
            context.Console.Out.Write($"{subject}: set {key}={value}\n");
        }

        foreach (var key in removals)
        {
            context.Console.Out.Write($"{subject}: deleted {key} ({whatApplies} applies)\n");
        }
    }
}
