using System.Reflection;

namespace Rill.Architecture.Tests;

/// <summary>
/// Handlers reach the controller only through the asynchronous IControllerClient, so that a broker without a local
/// controller can forward the same requests over the wire: no handler type (nor a closure or state machine the
/// compiler made for one) holds, takes or returns the concrete controller.
/// </summary>
public sealed class ControllerSeamTests
{
    private const string Controller = "Rill.Metadata.MetadataController";
    private const BindingFlags Everything =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void NoHandlerType_DependsOnTheConcreteController()
    {
        var handlers = Assembly.Load("Rill.Server").GetTypes()
            .Where(type => type.Namespace is "Rill.Server.Handlers" or "Rill.Server.Groups")
            .ToList();
        Assert.NotEmpty(handlers);
        var offenders = handlers.SelectMany(type => UsesOfController(type).Select(use => $"{type.FullName}: {use}")).ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void TheControllerClient_IsAnInterfaceOfRequestValues()
    {
        var client = Assembly.Load("Rill.Metadata").GetType("Rill.Metadata.IControllerClient", throwOnError: true)!;
        Assert.True(client.IsInterface);
        foreach (var method in client.GetMethods())
        {
            Assert.Equal(typeof(Task<>), method.ReturnType.GetGenericTypeDefinition());
            Assert.All(method.GetParameters(), parameter => Assert.False(
                typeof(Delegate).IsAssignableFrom(parameter.ParameterType),
                $"{method.Name} takes a delegate ({parameter.Name}); a change must be a request value that can travel."));
        }
    }

    private static IEnumerable<string> UsesOfController(Type type)
    {
        foreach (var field in type.GetFields(Everything).Where(f => Mentions(f.FieldType)))
        {
            yield return $"field {field.Name}";
        }

        foreach (var property in type.GetProperties(Everything).Where(p => Mentions(p.PropertyType)))
        {
            yield return $"property {property.Name}";
        }

        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (method is MethodInfo info && Mentions(info.ReturnType))
            {
                yield return $"{method.Name} returns it";
            }

            foreach (var parameter in method.GetParameters().Where(p => Mentions(p.ParameterType)))
            {
                yield return $"{method.Name}({parameter.Name})";
            }
        }
    }

    private static bool Mentions(Type type) =>
        type.FullName == Controller
        || (type.HasElementType && Mentions(type.GetElementType()!))
        || (type.IsGenericType && type.GetGenericArguments().Any(Mentions));
}
