namespace Rill.Protocol.Generator;

internal enum SchemaKind
{
    Request,
    Response,
    Header,
    Data,
    Metadata,
}

internal enum TypeKind
{
    Bool,
    Int8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    Float64,
    Uuid,
    String,
    Bytes,
    Records,
    Struct,
    Array,
}

/// <summary>A field's type as the schema spells it: a primitive, a struct name, or "[]" + element.</summary>
internal sealed class FieldType
{
    private FieldType(TypeKind kind, FieldType? element, string? structName)
    {
        Kind = kind;
        Element = element;
        StructName = structName;
    }

    public TypeKind Kind { get; }

    public FieldType? Element { get; }

    public string? StructName { get; }

    public bool IsFixedSize => FixedSize > 0;

    /// <summary>Encoded size of fixed-width types, 0 for variable-length ones.</summary>
    public int FixedSize => Kind switch
    {
        TypeKind.Bool or TypeKind.Int8 => 1,
        TypeKind.Int16 or TypeKind.UInt16 => 2,
        TypeKind.Int32 or TypeKind.UInt32 => 4,
        TypeKind.Int64 or TypeKind.Float64 => 8,
        TypeKind.Uuid => 16,
        _ => 0,
    };

    /// <summary>The struct this type names, directly or as an array element.</summary>
    public string? ReferencedStruct => Kind == TypeKind.Array ? Element!.StructName : StructName;

    public static FieldType Parse(string text)
    {
        if (text.StartsWith("[]", StringComparison.Ordinal))
        {
            var element = Parse(text[2..]);
            if (element.Kind == TypeKind.Array)
            {
                throw new GeneratorException($"Nested arrays are not supported: '{text}'.");
            }

            return new FieldType(TypeKind.Array, element, null);
        }

        return text switch
        {
            "bool" => new FieldType(TypeKind.Bool, null, null),
            "int8" => new FieldType(TypeKind.Int8, null, null),
            "int16" => new FieldType(TypeKind.Int16, null, null),
            "uint16" => new FieldType(TypeKind.UInt16, null, null),
            "int32" => new FieldType(TypeKind.Int32, null, null),
            "uint32" => new FieldType(TypeKind.UInt32, null, null),
            "int64" => new FieldType(TypeKind.Int64, null, null),
            "float64" => new FieldType(TypeKind.Float64, null, null),
            "uuid" => new FieldType(TypeKind.Uuid, null, null),
            "string" => new FieldType(TypeKind.String, null, null),
            "bytes" => new FieldType(TypeKind.Bytes, null, null),
            "records" => new FieldType(TypeKind.Records, null, null),
            _ when text.Length > 0 && char.IsUpper(text[0]) => new FieldType(TypeKind.Struct, null, text),
            _ => throw new GeneratorException($"Unknown field type '{text}'."),
        };
    }
}

internal sealed class FieldSpec
{
    public required string Name { get; init; }

    public required string PropertyName { get; init; }

    public required FieldType Type { get; init; }

    public required VersionRange Versions { get; init; }

    public required VersionRange NullableVersions { get; init; }

    public required VersionRange TaggedVersions { get; init; }

    public int? Tag { get; init; }

    /// <summary>The schema's default as text ("null" for a JSON null); null when the schema gives none.</summary>
    public string? Default { get; init; }

    /// <summary>The per-field flexibleVersions override (RequestHeader.ClientId: "none").</summary>
    public VersionRange? FlexibleVersions { get; init; }

    /// <summary>The struct of a struct or struct-array field, resolved after loading.</summary>
    public StructSpec? Struct { get; set; }

    public bool DefaultIsNull => Default == "null";
}

internal sealed class StructSpec
{
    public required string SchemaName { get; init; }

    /// <summary>The C# class name; differs from <see cref="SchemaName"/> only to resolve a clash.</summary>
    public required string ClassName { get; set; }

    public required List<FieldSpec> Fields { get; init; }

    public required VersionRange DeclaredVersions { get; init; }

    public bool IsCommon { get; init; }

    /// <summary>Every version in which this struct can be read or written (hull of its uses).</summary>
    public VersionRange Context { get; set; } = VersionRange.None;

    /// <summary>Used as a tagged field with a non-null default, so writers must compare it with its defaults.</summary>
    public bool NeedsDefaultCheck { get; set; }
}

internal sealed class MessageSpec
{
    public required string Name { get; init; }

    public required SchemaKind Kind { get; init; }

    public short? ApiKey { get; init; }

    public required VersionRange ValidVersions { get; init; }

    public required VersionRange FlexibleVersions { get; init; }

    public bool LatestVersionUnstable { get; init; }

    /// <summary>The top-level fields, as a struct whose class is the message class.</summary>
    public required StructSpec Root { get; init; }

    /// <summary>Nested structs in emission order: inline ones depth-first as they appear, then common ones.</summary>
    public required List<StructSpec> Structs { get; init; }

    /// <summary>Relative source path with '/' separators, e.g. "messages/ProduceRequest.json".</summary>
    public required string SourcePath { get; init; }

    public required SchemaFolder Folder { get; init; }
}

/// <summary>One input folder of schemas and where its generated code goes.</summary>
internal sealed record SchemaFolder(string Directory, string Namespace, string OutputDirectory);
