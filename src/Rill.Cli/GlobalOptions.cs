using System.CommandLine;

namespace Rill.Cli;

/// <summary>
/// The options every client command takes: where the cluster is, how to print, how long to wait. Each command
/// gets its own instances so its <c>--help</c> lists them.
/// </summary>
internal sealed class GlobalOptions
{
    public const string DefaultBrokers = "localhost:9092";
    public const string BrokersVariable = "RILL_BROKERS";
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public Option<string?> Brokers { get; } = new("--brokers", "-b")
    {
        Description = $"Bootstrap brokers, host:port[,host:port...]. Default: ${BrokersVariable}, else {DefaultBrokers}.",
        HelpName = "host:port",
    };

    public Option<string> Output { get; } = new Option<string>("--output")
    {
        Description = "table (default, for people) or json (one document on stdout, for scripts).",
        DefaultValueFactory = _ => "table",
    }.AcceptOnlyFromAmong("table", "json");

    public Option<TimeSpan?> Timeout { get; } = CommandOptions.Parsed<TimeSpan>(
        "--timeout",
        "How long to wait for the cluster: 10s (default), 500ms, 2m, or seconds.",
        "duration",
        (string token, out TimeSpan value, out string error) =>
        {
            error = $"--timeout: '{token}' is not a positive duration (10s, 500ms, 2m)";
            return ValueParsers.TryParseDuration(token, out value) && value > TimeSpan.Zero;
        });

    public Option<KeyValuePair<string, string>[]> ClientConfig { get; } = CommandOptions.KeyValues(
        "--client-config",
        "A librdkafka client property, key=value (repeatable), e.g. -X security.protocol=SASL_SSL.",
        "-X");

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Show librdkafka's errors and log lines on stderr.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Brokers);
        command.Options.Add(Output);
        command.Options.Add(Timeout);
        command.Options.Add(ClientConfig);
        command.Options.Add(Verbose);
    }

    public CliContext CreateContext(ParseResult parse, CliConsole console)
    {
        var brokers = parse.GetValue(Brokers);
        if (string.IsNullOrWhiteSpace(brokers))
        {
            brokers = console.GetEnvironmentVariable(BrokersVariable);
        }

        if (string.IsNullOrWhiteSpace(brokers))
        {
            brokers = DefaultBrokers;
        }

        var output = parse.GetValue(Output) == "json" ? OutputFormat.Json : OutputFormat.Table;
        return new CliContext(console, brokers.Trim(), output, parse.GetValue(Timeout) ?? DefaultTimeout, parse.GetValue(ClientConfig) ?? [], parse.GetValue(Verbose));
    }
}
