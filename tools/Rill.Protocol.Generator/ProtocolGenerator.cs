namespace Rill.Protocol.Generator;

/// <summary>
/// Turns the Kafka JSON schemas into C# codecs. Output is deterministic (ordinal ordering, "\n" line
/// endings, no timestamps) so the committed files can be checked against a fresh run.
/// </summary>
public static class ProtocolGenerator
{
    private static readonly (string Input, string Namespace, string Output)[] Folders =
    [
        ("messages", "Rill.Protocol.Messages", "Messages/Generated"),
        ("metadata-records", "Rill.Protocol.MetadataRecords", "MetadataRecords/Generated"),
        ("coordinator-records", "Rill.Protocol.CoordinatorRecords", "CoordinatorRecords/Generated"),
        ("raft-records", "Rill.Protocol.RaftRecords", "RaftRecords/Generated"),
    ];

    /// <summary>The folders (relative to the output root, '/'-separated) whose *.g.cs the generator owns.</summary>
    public static IReadOnlyList<string> GeneratedFolders { get; } = Folders.Select(f => f.Output).ToArray();

    /// <summary>Generates every file in memory: relative path ('/'-separated) to content, ordinal order.</summary>
    public static SortedDictionary<string, string> Render(string schemaDirectory) => Render(schemaDirectory, renames: []);

    /// <summary>Like <see cref="Render(string)"/>, also listing the nested classes renamed to avoid C# name clashes.</summary>
    public static SortedDictionary<string, string> Render(string schemaDirectory, List<string> renames)
    {
        var messages = new List<MessageSpec>();
        foreach (var (input, ns, output) in Folders)
        {
            var directory = Path.Combine(schemaDirectory, input);
            if (!Directory.Exists(directory))
            {
                throw new GeneratorException($"Schema folder {directory} does not exist.");
            }

            var folder = new SchemaFolder(input, ns, output);
            var files = Directory.GetFiles(directory, "*.json").OrderBy(Path.GetFileName, StringComparer.Ordinal);
            foreach (var file in files)
            {
                var sourcePath = $"{input}/{Path.GetFileName(file)}";
                try
                {
                    messages.Add(SchemaLoader.Load(file, sourcePath, folder));
                }
                catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or InvalidOperationException)
                {
                    throw new GeneratorException($"{sourcePath}: {e.Message}", e);
                }
            }
        }

        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            SchemaResolver.Resolve(message, renames);
            var path = $"{message.Folder.OutputDirectory}/{message.Name}.g.cs";
            if (!result.TryAdd(path, new MessageEmitter(message).Emit()))
            {
                throw new GeneratorException($"Two schemas generate {path}.");
            }
        }

        result.Add("Messages/Generated/ApiKey.g.cs", ApiKeyEmitter.Emit(messages));
        result.Add("MetadataRecords/Generated/MetadataRecordType.g.cs", MetadataRecordTypeEmitter.Emit(messages));
        return result;
    }

    /// <summary>
    /// Generates into <paramref name="outputDirectory"/> (src/Rill.Protocol): writes changed files only,
    /// and deletes *.g.cs files in the generated folders that no schema produces any more.
    /// </summary>
    public static GenerationResult Generate(string schemaDirectory, string outputDirectory)
    {
        var renames = new List<string>();
        var files = Render(schemaDirectory, renames);
        var written = 0;
        foreach (var (relative, content) in files)
        {
            var path = Path.Combine(outputDirectory, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (File.Exists(path) && File.ReadAllText(path) == content)
            {
                continue;
            }

            File.WriteAllText(path, content);
            written++;
        }

        var deleted = 0;
        foreach (var folder in GeneratedFolders)
        {
            var directory = Path.Combine(outputDirectory, folder);
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var file in Directory.GetFiles(directory, "*.g.cs"))
            {
                if (!files.ContainsKey($"{folder}/{Path.GetFileName(file)}"))
                {
                    File.Delete(file);
                    deleted++;
                }
            }
        }

        return new GenerationResult(files.Count, written, deleted, renames);
    }
}

public sealed record GenerationResult(int Files, int Written, int Deleted, IReadOnlyList<string> Renames);
