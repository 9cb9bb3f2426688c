namespace Rill.Protocol.Generator;

/// <summary>
/// Links fields to structs, works out in which versions each struct can occur, and renames nested
/// classes whose schema names C# cannot accept where they stand.
/// </summary>
internal static class SchemaResolver
{
    /// <summary>Members every generated class has; a field of the same name would not compile.</summary>
    private static readonly HashSet<string> ClassMembers = ["Read", "Write", "ComputeSize", "UnknownTaggedFields", "HasDefaultValues"];

    /// <summary>Static members of top-level classes.</summary>
    private static readonly HashSet<string> TopLevelMembers = ["ApiKey", "LowestSupportedVersion", "HighestSupportedVersion", "RecordType"];

    /// <summary>Types the generated code names in expressions; a member of that name would hide them.</summary>
    private static readonly HashSet<string> ReferencedTypes =
    [
        "ApiKey", "CollectionsMarshal", "KafkaField", "KafkaReader", "KafkaSize", "KafkaWriter", "List",
        "MetadataRecordType", "ProtocolException", "RawTaggedField", "ReadOnlyMemory", "Uuid",
        "IKafkaMessage", "IApiMessage",
    ];

    /// <summary>Types named in expressions (not only type positions) of every generated class.</summary>
    private static readonly HashSet<string> ExpressionTypes = ["CollectionsMarshal", "KafkaSize", "KafkaWriter", "RawTaggedField", "Uuid"];

    /// <summary>Types named in expressions of top-level classes only.</summary>
    private static readonly HashSet<string> TopLevelExpressionTypes = ["ApiKey", "MetadataRecordType"];

    public static void Resolve(MessageSpec message, List<string> renames)
    {
        var byName = new Dictionary<string, StructSpec>(StringComparer.Ordinal);
        foreach (var spec in message.Structs)
        {
            if (!byName.TryAdd(spec.SchemaName, spec))
            {
                throw new GeneratorException($"{message.SourcePath}: struct {spec.SchemaName} is defined twice.");
            }
        }

        foreach (var owner in AllStructs(message))
        {
            foreach (var field in owner.Fields)
            {
                if (field.Type.ReferencedStruct is { } name)
                {
                    field.Struct = byName.TryGetValue(name, out var target)
                        ? target
                        : throw new GeneratorException($"{message.SourcePath}: field {field.Name} names unknown struct {name}.");
                }

                CheckField(message, field);
            }
        }

        message.Root.Context = message.ValidVersions;
        Propagate(message.Root);
        foreach (var spec in message.Structs.Where(s => s.Context.IsEmpty))
        {
            // Declared but never used in a valid version: still generated, over its declared versions.
            spec.Context = spec.DeclaredVersions.Intersect(message.ValidVersions);
        }

        Rename(message, renames);
        CheckMemberNames(message);
        MarkDefaultChecks(message);
    }

    public static IEnumerable<StructSpec> AllStructs(MessageSpec message) => message.Structs.Prepend(message.Root);

    private static void CheckField(MessageSpec message, FieldSpec field)
    {
        var tagged = field.TaggedVersions.Intersect(field.Versions);
        if (tagged.IsEmpty)
        {
            return;
        }

        if (!message.FlexibleVersions.Contains(tagged) || (field.FlexibleVersions is { } own && !own.Contains(tagged)))
        {
            throw new GeneratorException($"{message.SourcePath}: field {field.Name} is tagged outside flexible versions.");
        }

        if (field.Type.Kind == TypeKind.Records)
        {
            throw new GeneratorException($"{message.SourcePath}: records field {field.Name} cannot be tagged.");
        }
    }

    private static void Propagate(StructSpec owner)
    {
        foreach (var field in owner.Fields)
        {
            if (field.Struct is not { } child)
            {
                continue;
            }

            var use = field.Versions.Intersect(owner.Context);
            if (child.IsCommon)
            {
                use = use.Intersect(child.DeclaredVersions);
            }

            var widened = child.Context.Hull(use);
            if (widened != child.Context)
            {
                child.Context = widened;
                Propagate(child);
            }
        }
    }

    private static void Rename(MessageSpec message, List<string> renames)
    {
        var reserved = new HashSet<string>(StringComparer.Ordinal) { message.Name };
        reserved.UnionWith(ClassMembers);
        reserved.UnionWith(TopLevelMembers);
        reserved.UnionWith(ReferencedTypes);
        reserved.UnionWith(message.Root.Fields.Select(f => f.PropertyName));

        var taken = new HashSet<string>(message.Structs.Select(s => s.SchemaName), StringComparer.Ordinal);
        foreach (var spec in message.Structs)
        {
            var name = spec.SchemaName;
            if (!reserved.Contains(name) && spec.Fields.All(f => f.PropertyName != name))
            {
                continue;
            }

            // Deterministic: append "Data" until nothing else in the file has that name.
            do
            {
                name += "Data";
            }
            while (taken.Contains(name) || reserved.Contains(name) || spec.Fields.Any(f => f.PropertyName == name));

            taken.Add(name);
            spec.ClassName = name;
            renames.Add($"{message.Name}.{spec.SchemaName} -> {message.Name}.{name}");
        }
    }

    private static void CheckMemberNames(MessageSpec message)
    {
        foreach (var owner in AllStructs(message))
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var field in owner.Fields)
            {
                var name = field.PropertyName;
                if (!seen.Add(name)
                    || name == owner.ClassName
                    || name == message.Name
                    || ClassMembers.Contains(name)
                    || ExpressionTypes.Contains(name)
                    || (owner == message.Root && (TopLevelMembers.Contains(name) || TopLevelExpressionTypes.Contains(name))))
                {
                    throw new GeneratorException(
                        $"{message.SourcePath}: field {owner.SchemaName}.{field.Name} clashes with another member or type; extend the rename rules.");
                }
            }
        }
    }

    private static void MarkDefaultChecks(MessageSpec message)
    {
        foreach (var owner in AllStructs(message))
        {
            foreach (var field in owner.Fields)
            {
                if (field.Tag is not null && field.Type.Kind == TypeKind.Struct && !field.DefaultIsNull)
                {
                    MarkDefaultCheck(field.Struct!);
                }
            }
        }
    }

    private static void MarkDefaultCheck(StructSpec spec)
    {
        if (spec.NeedsDefaultCheck)
        {
            return;
        }

        spec.NeedsDefaultCheck = true;
        foreach (var field in spec.Fields)
        {
            if (field.Type.Kind == TypeKind.Struct && !field.DefaultIsNull)
            {
                MarkDefaultCheck(field.Struct!);
            }
        }
    }
}
