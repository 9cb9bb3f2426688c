namespace Rill.Protocol.Generator;

/// <summary>A schema the generator cannot turn into correct code; it stops rather than guess.</summary>
public sealed class GeneratorException : Exception
{
    public GeneratorException(string message)
        : base(message)
    {
    }

    public GeneratorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
