using System.Globalization;
using System.Text.Json;

namespace Rill.Protocol.Generator;

/// <summary>Reads the Kafka JSON schemas (which carry // comments) into <see cref="MessageSpec"/>s.</summary>
internal static class SchemaLoader
{
    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static MessageSpec Load(string path, string sourcePath, SchemaFolder folder)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), JsonOptions);
        var root = document.RootElement;
        var name = RequiredString(root, "name", sourcePath);
        var kind = RequiredString(root, "type", sourcePath) switch
        {
            "request" => SchemaKind.Request,
            "response" => SchemaKind.Response,
            "header" => SchemaKind.Header,
            "data" => SchemaKind.Data,
            "metadata" => SchemaKind.Metadata,
            var other => throw new GeneratorException($"{sourcePath}: unknown schema type '{other}'."),
        };

        var validVersions = VersionRange.Parse(RequiredString(root, "validVersions", sourcePath));
        var flexibleVersions = VersionRange.Parse(OptionalString(root, "flexibleVersions") ?? "none");
        short? apiKey = root.TryGetProperty("apiKey", out var apiKeyElement) ? apiKeyElement.GetInt16() : null;
        var unstable = root.TryGetProperty("latestVersionUnstable", out var unstableElement) && unstableElement.GetBoolean();

        var structs = new List<StructSpec>();
        var fields = ReadFields(root, sourcePath, structs);
        if (root.TryGetProperty("commonStructs", out var commonStructs))
        {
            foreach (var common in commonStructs.EnumerateArray())
            {
                var commonName = RequiredString(common, "name", sourcePath);
                var commonFields = ReadFields(common, sourcePath, structs);
                structs.Add(new StructSpec
                {
                    SchemaName = commonName,
                    ClassName = commonName,
                    Fields = commonFields,
                    DeclaredVersions = VersionRange.Parse(OptionalString(common, "versions") ?? "0+"),
                    IsCommon = true,
                });
            }
        }

        var rootStruct = new StructSpec
        {
            SchemaName = name,
            ClassName = name,
            Fields = fields,
            DeclaredVersions = validVersions,
        };

        return new MessageSpec
        {
            Name = name,
            Kind = kind,
            ApiKey = apiKey,
            ValidVersions = validVersions,
            FlexibleVersions = flexibleVersions,
            LatestVersionUnstable = unstable,
            Root = rootStruct,
            Structs = structs,
            SourcePath = sourcePath,
            Folder = folder,
        };
    }

    private static List<FieldSpec> ReadFields(JsonElement owner, string sourcePath, List<StructSpec> structs)
    {
        var result = new List<FieldSpec>();
        if (!owner.TryGetProperty("fields", out var fields))
        {
            return result;
        }

        foreach (var field in fields.EnumerateArray())
        {
            var name = RequiredString(field, "name", sourcePath);
            var typeText = RequiredString(field, "type", sourcePath);
            var type = FieldType.Parse(typeText);
            var taggedVersions = VersionRange.Parse(OptionalString(field, "taggedVersions"));

            // A tagged field may omit "versions"; it then exists exactly in its tagged versions.
            var versionsText = OptionalString(field, "versions");
            var versions = versionsText is null ? taggedVersions : VersionRange.Parse(versionsText);
            if (versionsText is null && taggedVersions.IsEmpty)
            {
                throw new GeneratorException($"{sourcePath}: field {name} has neither versions nor taggedVersions.");
            }

            // A few schemas quote their tag numbers ("tag": "0").
            var tagText = OptionalString(field, "tag");
            int? tag = tagText is null ? null : int.Parse(tagText, NumberStyles.None, CultureInfo.InvariantCulture);
            if (tag is null != taggedVersions.IsEmpty)
            {
                throw new GeneratorException($"{sourcePath}: field {name} needs both tag and taggedVersions, or neither.");
            }

            if (!taggedVersions.IsEmpty && taggedVersions.Highest != VersionRange.Open)
            {
                throw new GeneratorException($"{sourcePath}: field {name} has closed taggedVersions {taggedVersions}.");
            }

            var flexibleText = OptionalString(field, "flexibleVersions");
            var spec = new FieldSpec
            {
                Name = name,
                PropertyName = Naming.Pascal(name),
                Type = type,
                Versions = versions,
                NullableVersions = VersionRange.Parse(OptionalString(field, "nullableVersions")),
                TaggedVersions = taggedVersions,
                Tag = tag,
                Default = ReadDefault(field),
                FlexibleVersions = flexibleText is null ? null : VersionRange.Parse(flexibleText),
            };

            if (field.TryGetProperty("fields", out _))
            {
                var structName = type.ReferencedStruct
                    ?? throw new GeneratorException($"{sourcePath}: field {name} has fields but type {typeText}.");

                // Register the parent before its children so nested classes come out in reading order.
                var nested = new StructSpec
                {
                    SchemaName = structName,
                    ClassName = structName,
                    Fields = [],
                    DeclaredVersions = versions,
                };
                structs.Add(nested);
                nested.Fields.AddRange(ReadFields(field, sourcePath, structs));
            }

            result.Add(spec);
        }

        return result;
    }

    private static string? ReadDefault(JsonElement field)
    {
        if (!field.TryGetProperty("default", out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => "null",
            _ => throw new GeneratorException($"Unsupported default {value.GetRawText()}."),
        };
    }

    private static string RequiredString(JsonElement element, string property, string sourcePath) =>
        OptionalString(element, property)
        ?? throw new GeneratorException($"{sourcePath}: missing \"{property}\".");

    private static string? OptionalString(JsonElement element, string property)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => throw new GeneratorException($"\"{property}\" must be a string, found {value.ValueKind}."),
        };
    }

    internal static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
