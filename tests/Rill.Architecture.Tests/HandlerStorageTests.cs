using System.Reflection;

namespace Rill.Architecture.Tests;

/// <summary>
/// Handlers decode, call the replica manager and encode: storage is the replication layer's. Checked twice, on the
/// compiled types (every signature, field and local of every type in Rill.Server.Handlers, compiler-generated state
/// machines and closures included) and on the sources (no mention of the Rill.Storage namespace at all).
/// </summary>
public sealed class HandlerStorageTests
{
    private const string HandlersNamespace = "Rill.Server.Handlers";
    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void NoHandlerType_UsesAStorageType()
    {
        var handlerTypes = Assembly.Load("Rill.Server").GetTypes().Where(t => t.Namespace == HandlersNamespace).ToList();
        Assert.NotEmpty(handlerTypes);
        var uses = handlerTypes
            .SelectMany(t => TypesUsedBy(t).Where(IsStorage).Select(used => $"{t.FullName} uses {used.FullName}"))
            .Distinct()
            .ToList();
        Assert.Empty(uses);
    }

    [Fact]
    public void NoHandlerSource_MentionsRillStorage()
    {
        var dir = Path.Combine(RepositoryRoot(), "src", "Rill.Server", "Handlers");
        var offenders = Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(file => File.ReadAllText(file).Contains("Rill.Storage", StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .ToList();
        Assert.Empty(offenders);
    }

    private static IEnumerable<Type> TypesUsedBy(Type type)
    {
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var implemented in type.GetInterfaces())
        {
            yield return implemented;
        }

        foreach (var field in type.GetFields(Everything))
        {
            yield return field.FieldType;
        }

        foreach (var property in type.GetProperties(Everything))
        {
            yield return property.PropertyType;
        }

        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }

            foreach (var parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }

            foreach (var local in method.GetMethodBody()?.LocalVariables ?? [])
            {
                yield return local.LocalType;
            }
        }
    }

    private static bool IsStorage(Type type)
    {
        while (type.HasElementType)
        {
            type = type.GetElementType()!;
        }

        return type.Namespace == "Rill.Storage" || (type.IsGenericType && type.GetGenericArguments().Any(IsStorage));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rill.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Rill.slnx above {AppContext.BaseDirectory}");
    }
}
