using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Rill.Config;
using Rill.Server;
using Rill.Server.Observability;

namespace Rill;

/// <summary><c>rill serve [server.properties] [--override key=value]...</c>, as <c>kafka-server-start.sh</c> takes them.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var propertiesFile = new Argument<FileInfo?>("server.properties")
        {
            Description = "A Kafka-style properties file. Without one, Rill runs a single node on localhost:9092 with data in ./data.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var overrides = new Option<string[]>("--override")
        {
            Description = "Sets one configuration key, over the file and RILL_* environment variables (repeatable): --override num.partitions=3",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("serve", "Run a Rill broker (broker and controller in one process).")
        {
            propertiesFile,
            overrides,
        };
        command.SetAction((parse, cancellationToken) =>
            RunAsync(parse.GetValue(propertiesFile), parse.GetValue(overrides) ?? [], cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo? propertiesFile, string[] overrides, CancellationToken cancellationToken)
    {
        ServerConfig config;
        try
        {
            var environment = Environment.GetEnvironmentVariables()
                .Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? string.Empty, StringComparer.Ordinal);
            config = ServerConfig.Load(propertiesFile?.FullName, environment, overrides);
        }
        catch (ConfigException exception)
        {
            await Console.Error.WriteLineAsync($"rill: {exception.Message}");
            return 2;
        }

        // log.level is the root level; BROKER_LOGGER (IncrementalAlterConfigs) changes levels while the broker runs.
        var logLevels = new LogLevels(config.LogLevel, new Dictionary<string, LogLevel> { ["Microsoft"] = LogLevel.Warning });
        using var loggerFactory = LoggerFactory.Create(logging => logLevels.AddTo(logging)
            .AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
                options.UseUtcTimestamp = true;
                options.ColorBehavior = LoggerColorBehavior.Disabled;
            }));
        var logger = loggerFactory.CreateLogger("Rill");
        config.LogEffectiveConfiguration(logger);

        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            shutdown.Cancel();
        });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            shutdown.Cancel();
        });

        RillNode node;
        try
        {
            node = await new RillNodeBuilder(config).WithLogging(loggerFactory, logLevels).StartAsync(shutdown.Token);
        }
        catch (ConfigException exception)
        {
            await Console.Error.WriteLineAsync($"rill: {exception.Message}");
            return 2;
        }
        catch (IOException exception)
        {
            await Console.Error.WriteLineAsync($"rill: cannot start: {exception.Message}");
            return 1;
        }

        await using (node)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, shutdown.Token);
            }
            catch (OperationCanceledException)
            {
                // SIGTERM or Ctrl-C: stop gracefully below.
            }

            await node.StopAsync();
        }

        return 0;
    }
}
