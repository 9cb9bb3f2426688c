using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.CompilerServices;

namespace Rill.Cli;

/// <summary>
/// Examples for a command's <c>--help</c>, printed after System.CommandLine's own help (which has no examples
/// section). Kept apart from the description so command lists stay one line per command.
/// </summary>
internal static class HelpText
{
    private static readonly ConditionalWeakTable<Command, string[]> Examples = [];

    /// <summary>Attaches examples to <paramref name="command"/> and returns it.</summary>
    public static Command WithExamples(this Command command, params string[] examples)
    {
        Examples.AddOrUpdate(command, examples);
        return command;
    }

    /// <summary>Makes the root's help option print a command's examples after its help.</summary>
    public static void InstallOn(RootCommand root)
    {
        foreach (var option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction help } helpOption)
            {
                helpOption.Action = new ExamplesHelpAction(help);
            }
        }
    }

    private sealed class ExamplesHelpAction : SynchronousCommandLineAction
    {
        private readonly HelpAction _help;

        public ExamplesHelpAction(HelpAction help)
        {
            _help = help;
        }

        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var exitCode = _help.Invoke(parseResult);
            if (Examples.TryGetValue(parseResult.CommandResult.Command, out var examples))
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.Write("Examples:\n");
                foreach (var example in examples)
                {
                    output.Write("  ");
                    output.Write(example);
                    output.Write('\n');
                }

                output.Write('\n');
            }

            return exitCode;
        }
    }
}
