using System.CommandLine;
using Rill;

var root = new RootCommand("Rill: a Kafka-compatible streaming platform.")
{
    ServeCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
