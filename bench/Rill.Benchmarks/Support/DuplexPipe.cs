using System.IO.Pipelines;

namespace Rill.Benchmarks.Support;

/// <summary>One side of an in-memory connection: what it reads and where it writes.</summary>
public sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}
