using System.Text;

namespace Rill.Protocol.Generator;

/// <summary>Indented text with "\n" line endings whatever the platform, so output is byte-stable.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;
    private bool _afterBlock;

    public CodeWriter(int indent = 0)
    {
        _indent = indent;
    }

    public int Indent => _indent;

    public void Line(string text = "")
    {
        // A statement right after a closed block gets a blank line first, as hand-written code would.
        if (_afterBlock && text.Length > 0 && !text.StartsWith('}') && !text.StartsWith("else", StringComparison.Ordinal)
            && !text.StartsWith("case ", StringComparison.Ordinal) && !text.StartsWith("#pragma", StringComparison.Ordinal) && !text.StartsWith("default:", StringComparison.Ordinal))
        {
            _text.Append('\n');
        }

        _afterBlock = false;
        if (text.Length > 0)
        {
            _text.Append(' ', _indent * 4).Append(text);
        }

        _text.Append('\n');
    }

    /// <summary>Opens a block; an empty header opens a bare scope block.</summary>
    public void Open(string header)
    {
        if (header.Length > 0)
        {
            Line(header);
        }

        Line("{");
        _indent++;
    }

    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
        _afterBlock = true;
    }

    /// <summary>"} else {" style transitions: closes the current block and opens the next.</summary>
    public void Else(string header = "else")
    {
        Close();
        Open(header);
    }

    public void Append(CodeWriter other)
    {
        _text.Append(other._text);
        _afterBlock = other._afterBlock;
    }

    public bool EndsWithBlankLine() => _text.Length >= 2 && _text[^1] == '\n' && _text[^2] == '\n';

    public override string ToString() => _text.ToString();
}
