using System.Globalization;
using System.Text;

namespace Rill.Config;

/// <summary>
/// Reads Java properties syntax as <c>java.util.Properties.load</c> does: <c>#</c>/<c>!</c> comments,
/// <c>=</c>, <c>:</c> or whitespace between key and value, a trailing backslash continuing the line,
/// and the escapes <c>\t \n \r \f \uXXXX</c> (any other escaped character stands for itself).
/// Hand-written because .NET has no reader for this format.
/// </summary>
public static class JavaProperties
{
    /// <summary>
    /// Parses <paramref name="text"/>; entries come in file order, so a repeated key appears twice and
    /// the later one wins when applied. <paramref name="sourceName"/> only names the file in errors.
    /// </summary>
    public static IReadOnlyList<PropertiesEntry> Parse(string text, string sourceName)
    {
        var entries = new List<PropertiesEntry>();
        var lines = SplitLines(text);
        for (var index = 0; index < lines.Count; index++)
        {
            var firstLine = index + 1;
            var line = lines[index].TrimStart(' ', '\t', '\f');
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }

            var logical = new StringBuilder(line);
            while (EndsWithContinuation(logical) && index + 1 < lines.Count)
            {
                logical.Length--;
                index++;
                logical.Append(lines[index].TrimStart(' ', '\t', '\f'));
            }

            if (EndsWithContinuation(logical))
            {
                // A continuation on the last line continues into nothing, as Java reads it.
                logical.Length--;
            }

            entries.Add(ParseLogicalLine(logical.ToString(), firstLine, sourceName));
        }

        return entries;
    }

    private static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '\r' or '\n')
            {
                lines.Add(text[start..i]);
                if (text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            lines.Add(text[start..]);
        }

        return lines;
    }

    // A line continues when it ends in an odd number of backslashes; "\\" at the end is an escaped backslash.
    private static bool EndsWithContinuation(StringBuilder line)
    {
        var count = 0;
        for (var i = line.Length - 1; i >= 0 && line[i] == '\\'; i--)
        {
            count++;
        }

        return count % 2 == 1;
    }

    private static PropertiesEntry ParseLogicalLine(string line, int lineNumber, string sourceName)
    {
        var keyEnd = 0;
        while (keyEnd < line.Length)
        {
            var c = line[keyEnd];
            if (c == '\\')
            {
                keyEnd += 2;
                continue;
            }

            if (c is '=' or ':' or ' ' or '\t' or '\f')
            {
                break;
            }

            keyEnd++;
        }

        keyEnd = Math.Min(keyEnd, line.Length);
        var valueStart = keyEnd;
        while (valueStart < line.Length && line[valueStart] is ' ' or '\t' or '\f')
        {
            valueStart++;
        }

        if (valueStart < line.Length && line[valueStart] is '=' or ':')
        {
            valueStart++;
            while (valueStart < line.Length && line[valueStart] is ' ' or '\t' or '\f')
            {
                valueStart++;
            }
        }

        var key = Unescape(line[..keyEnd], lineNumber, sourceName);
        var value = Unescape(line[valueStart..], lineNumber, sourceName);
        return new PropertiesEntry(key, value, lineNumber);
    }

    private static string Unescape(string text, int lineNumber, string sourceName)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\' || i + 1 == text.Length)
            {
                result.Append(c);
                continue;
            }

            var escaped = text[++i];
            switch (escaped)
            {
                case 't':
                    result.Append('\t');
                    break;
                case 'n':
                    result.Append('\n');
                    break;
                case 'r':
                    result.Append('\r');
                    break;
                case 'f':
                    result.Append('\f');
                    break;
                case 'u':
                    if (text.Length - i - 1 < 4
                        || !ushort.TryParse(text.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw new ConfigException(null, $"{sourceName} line {lineNumber}: malformed \\uXXXX escape.");
                    }

                    result.Append((char)code);
                    i += 4;
                    break;
                default:
                    result.Append(escaped);
                    break;
            }
        }

        return result.ToString();
    }
}
