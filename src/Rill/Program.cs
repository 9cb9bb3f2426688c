using System.CommandLine;
using Rill;
using Rill.Cli;

var root = new RootCommand("Rill: a Kafka-compatible streaming platform.")
{
    ServeCommand.Create(),
    StorageCommand.Create(),
};
return await RillCli.RunAsync(root, args);
