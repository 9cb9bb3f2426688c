using Rill.Protocol.Generator;

// dotnet run --project tools/Rill.Protocol.Generator -- [--schemas DIR] [--output DIR]
// Defaults, relative to the repository root (the folder holding Rill.slnx):
//   --schemas ../shared/kafka-protocol   --output src/Rill.Protocol
string? schemas = null;
string? output = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--schemas" when i + 1 < args.Length:
            schemas = args[++i];
            break;
        case "--output" when i + 1 < args.Length:
            output = args[++i];
            break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: [--schemas DIR] [--output DIR]");
            return 2;
    }
}

if (schemas is null || output is null)
{
    var root = FindRepositoryRoot(Directory.GetCurrentDirectory()) ?? FindRepositoryRoot(AppContext.BaseDirectory);
    if (root is null)
    {
        Console.Error.WriteLine("Cannot find Rill.slnx above the current directory; pass --schemas and --output.");
        return 2;
    }

    schemas ??= Path.GetFullPath(Path.Combine(root, "..", "shared", "kafka-protocol"));
    output ??= Path.Combine(root, "src", "Rill.Protocol");
}

try
{
    var result = ProtocolGenerator.Generate(schemas, output);
    Console.WriteLine($"{result.Files} files from {schemas}: {result.Written} written, {result.Deleted} deleted, into {output}.");
    foreach (var rename in result.Renames)
    {
        Console.WriteLine($"renamed {rename}");
    }

    return 0;
}
catch (GeneratorException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static string? FindRepositoryRoot(string start)
{
    for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Rill.slnx")))
        {
            return directory.FullName;
        }
    }

    return null;
}
