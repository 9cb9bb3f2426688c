namespace Rill.Protocol.Generator;

internal static class Naming
{
    /// <summary>Schema names are PascalCase already, except a few coordinator records' camelCase fields.</summary>
    public static string Pascal(string name) =>
        name.Length == 0 || char.IsUpper(name[0]) ? name : char.ToUpperInvariant(name[0]) + name[1..];
}
