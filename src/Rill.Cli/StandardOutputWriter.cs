using System.Text;

namespace Rill.Cli;

/// <summary>
/// Buffered stdout that notices when the reader has gone (<c>rill consume ... | head -1</c>). .NET's console
/// stream silently drops writes to a closed pipe, so a consumer would run forever; this writer sits on a plain
/// stream over the descriptor, turns the first failed write into <see cref="OutputClosedException"/> and drops
/// everything after it.
/// </summary>
internal sealed class StandardOutputWriter : TextWriter
{
    private readonly StreamWriter _inner;

    public StandardOutputWriter(Stream stream)
    {
        _inner = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16) { AutoFlush = false };
    }

    public override Encoding Encoding => _inner.Encoding;

    /// <summary>True once a write failed because nobody reads the output any more.</summary>
    public bool Closed { get; private set; }

    public override void Write(char value)
    {
        if (!Closed)
        {
            Guard(() => _inner.Write(value));
        }
    }

    public override void Write(string? value)
    {
        if (!Closed)
        {
            Guard(() => _inner.Write(value));
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        if (!Closed)
        {
            Guard(() => _inner.Write(buffer, index, count));
        }
    }

    public override void Flush()
    {
        if (!Closed)
        {
            Guard(_inner.Flush);
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !Closed)
        {
            try
            {
                _inner.Dispose();
            }
            catch (IOException)
            {
                Closed = true;
            }
        }

        base.Dispose(disposing);
    }

    private void Guard(Action write)
    {
        try
        {
            write();
        }
        catch (IOException exception)
        {
            Closed = true;
            throw new OutputClosedException(exception);
        }
    }
}
