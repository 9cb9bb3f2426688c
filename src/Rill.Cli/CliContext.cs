using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Confluent.Kafka;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Rill.Cli;

/// <summary>One command's run: the console, the cluster's address, the output format and the timeout.</summary>
internal sealed class CliContext
{
    /// <summary>Width for tables written to a pipe or file, where no terminal limits it and wrapping would break awk.</summary>
    private const int PipeWidth = 1_000;

    private static readonly JsonSerializerOptions DocumentOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private static readonly JsonSerializerOptions LineOptions = new(DocumentOptions) { WriteIndented = false };

    private readonly Lock _diagnosticLock = new();
    private IAnsiConsole? _stdout;

    public CliContext(CliConsole console, string brokers, OutputFormat output, TimeSpan timeout, IReadOnlyList<KeyValuePair<string, string>> clientConfig, bool verbose)
    {
        Verbose = verbose;
        Console = console;
        Brokers = brokers;
        Output = output;
        Timeout = timeout;
        ClientConfig = clientConfig;
    }

    public CliConsole Console { get; }

    public string Brokers { get; }

    public OutputFormat Output { get; }

    public bool Json => Output == OutputFormat.Json;

    public TimeSpan Timeout { get; }

    public IReadOnlyList<KeyValuePair<string, string>> ClientConfig { get; }

    /// <summary><c>--verbose</c>: librdkafka's errors and log lines go to stderr.</summary>
    public bool Verbose { get; }

    /// <summary>
    /// Set once a broker answered (the admin client's DescribeCluster): a transport error after that is a connection
    /// the broker closed or lost mid-request, not a cluster that cannot be reached.
    /// </summary>
    public bool Reached { get; set; }

    /// <summary>Spectre's view of stdout: colours and borders on a terminal, plain text elsewhere.</summary>
    public IAnsiConsole Stdout => _stdout ??= CreateAnsiConsole(Console.Out, Console.IsOutputTerminal);

    /// <summary>Where progress goes: stderr when it is a terminal and the output is not JSON, otherwise nowhere.</summary>
    public IAnsiConsole? Progress => Console.IsErrorTerminal && !Json ? CreateAnsiConsole(Console.Error, terminal: true) : null;

    /// <summary>Applies the address, the timeouts and the <c>-X</c> properties to a client's configuration.</summary>
    public T Configure<T>(T config)
        where T : ClientConfig
    {
        var timeoutMs = (int)Math.Clamp(Timeout.TotalMilliseconds, 1, int.MaxValue);
        config.BootstrapServers = Brokers;
        config.ClientId = "rill-cli";
        config.SocketConnectionSetupTimeoutMs = Math.Max(timeoutMs, 1_000);
        config.SocketTimeoutMs = Math.Max(timeoutMs, 10);
        config.LogConnectionClose = false;
        foreach (var (key, value) in ClientConfig)
        {
            config.Set(key, value);
        }

        return config;
    }

    /// <summary>A client error librdkafka reports and recovers from by itself; shown only with --verbose.</summary>
    public void Diagnose(Error error)
    {
        if (Verbose)
        {
            WriteDiagnostic($"rill: librdkafka error {error.Code}: {error.Reason}");
        }
    }

    /// <summary>A librdkafka log line; shown only with --verbose.</summary>
    public void Diagnose(LogMessage log)
    {
        if (Verbose)
        {
            WriteDiagnostic($"rill: librdkafka {log.Level} {log.Facility}: {log.Message}");
        }
    }

    /// <summary>Writes one JSON document (camelCase property names) and a newline.</summary>
    public void WriteJson<T>(T value)
    {
        Console.Out.Write(JsonSerializer.Serialize(value, DocumentOptions));
        Console.Out.Write('\n');
    }

    /// <summary>Writes one JSON document on one line (JSON Lines, for streams of records).</summary>
    public void WriteJsonLine<T>(T value)
    {
        Console.Out.Write(JsonSerializer.Serialize(value, LineOptions));
        Console.Out.Write('\n');
    }

    /// <summary>A table with the given headers, bordered on a terminal, plain for pipes.</summary>
    public Table NewTable(params string[] headers)
    {
        var table = new Table
        {
            Border = Console.IsOutputTerminal ? TableBorder.Rounded : TableBorder.None,
            ShowHeaders = true,
        };
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(new Text(header, Console.IsOutputTerminal ? new Style(decoration: Decoration.Bold) : Style.Plain)).NoWrap());
        }

        return table;
    }

    /// <summary>Adds a row of plain cells (no Spectre markup is interpreted: topic names may contain '[').</summary>
    public static void AddRow(Table table, params string?[] cells)
    {
        var renderables = new IRenderable[cells.Length];
        for (var i = 0; i < cells.Length; i++)
        {
            renderables[i] = new Text(cells[i] ?? "-");
        }

        table.AddRow(renderables);
    }

    /// <summary>A "key: value" line for the header of a description.</summary>
    public void WriteField(string name, string? value)
    {
        if (Console.IsOutputTerminal)
        {
            Stdout.Write(new Text(name + ": ", new Style(decoration: Decoration.Bold)));
            Stdout.WriteLine(value ?? "-", Style.Plain);
        }
        else
        {
            Console.Out.Write(name);
            Console.Out.Write(": ");
            Console.Out.Write(value ?? "-");
            Console.Out.Write('\n');
        }
    }

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(long? value) => value is { } v ? Number(v) : "-";

    private void WriteDiagnostic(string line)
    {
        lock (_diagnosticLock)
        {
            Console.Error.Write(line);
            Console.Error.Write('\n');
        }
    }

    private IAnsiConsole CreateAnsiConsole(TextWriter writer, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = terminal ? Console.TerminalWidth ?? 80 : PipeWidth;
        return console;
    }
}
