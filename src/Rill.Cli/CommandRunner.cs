using System.CommandLine;
using Confluent.Kafka;

namespace Rill.Cli;

/// <summary>
/// Runs a command's body and turns every expected failure into one line on stderr and an exit code: no stack
/// traces for a missing topic or a cluster that is down.
/// </summary>
internal static class CommandRunner
{
    /// <summary>The exit code of a command stopped by Ctrl-C, as shells report SIGINT.</summary>
    public const int Interrupted = 130;

    public delegate Task<int> Body(CliContext context, ParseResult parse, CancellationToken cancellationToken);

    /// <summary>Adds the global options to <paramref name="command"/> and sets its action to <paramref name="body"/>.</summary>
    public static void SetAction(Command command, CliConsole console, string operation, Body body)
    {
        var global = new GlobalOptions();
        global.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(console, global, operation, body, parse, cancellationToken));
    }

    public static void WriteError(CliConsole console, string message)
    {
        try
        {
            console.Out.Flush();
        }
        catch (OutputClosedException)
        {
            // Errors still go to stderr when nobody reads stdout.
        }

        console.Error.Write("rill: ");
        console.Error.Write(message);
        console.Error.Write('\n');
        console.Error.Flush();
    }

    /// <summary>Flushes stdout at the end of a command; a reader that already left is not an error.</summary>
    public static async Task FlushAsync(CliConsole console)
    {
        try
        {
            await console.Out.FlushAsync(CancellationToken.None);
        }
        catch (OutputClosedException)
        {
            // Nobody reads the rest.
        }
    }

    private static async Task<int> RunAsync(CliConsole console, GlobalOptions global, string operation, Body body, ParseResult parse, CancellationToken cancellationToken)
    {
        var context = global.CreateContext(parse, console);
        try
        {
            return await body(context, parse, cancellationToken);
        }
        catch (CliException exception)
        {
            WriteError(console, exception.Message);
            return exception.ExitCode;
        }
        catch (KafkaException exception)
        {
            var translated = KafkaErrors.Translate(exception, context, operation);
            WriteError(console, translated.Message);
            return translated.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Interrupted;
        }
        catch (OutputClosedException)
        {
            // The reader went away (| head): nothing more to say, and nobody to say it to.
            return ExitCodes.Ok;
        }
        catch (IOException exception)
        {
            WriteError(console, exception.Message);
            return ExitCodes.Failed;
        }
        catch (UnauthorizedAccessException exception)
        {
            WriteError(console, exception.Message);
            return ExitCodes.Failed;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException
            && exception.Message.Contains("configuration propert", StringComparison.Ordinal))
        {
            // librdkafka refuses an unknown or malformed -X property when the client is built ("configuration
            // property"); Confluent.Kafka refuses a dotnet.* property the client kind does not take ("configuration properties").
            WriteError(console, exception.Message);
            return ExitCodes.Usage;
        }
        finally
        {
            await FlushAsync(console);
        }
    }
}
