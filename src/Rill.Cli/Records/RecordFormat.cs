using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Rill.Cli.Records;

/// <summary>
/// kcat's <c>-f</c> templates: %t topic, %p partition, %o offset, %k key, %v (or %s) value, %T timestamp (ms),
/// %h headers (k=v,k=v), %K key length, %S value length, %% a percent sign; escapes \n \t \r \\.
/// Parsed once into parts, then applied to every record.
/// </summary>
internal sealed class RecordFormat
{
    public const string Default = "%v\\n";

    private readonly List<Part> _parts;
    private readonly string _template;

    private RecordFormat(List<Part> parts, string template)
    {
        _parts = parts;
        _template = template;
    }

    /// <summary>Parses a template known to be valid (the default).</summary>
    public static RecordFormat Parse(string template) =>
        TryParse(template, out var format, out var error) ? format : throw new ArgumentException(error, nameof(template));

    public static bool TryParse(string template, out RecordFormat format, out string error)
    {
        var parts = new List<Part>();
        var literal = new StringBuilder();
        error = string.Empty;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '\\' && i + 1 < template.Length)
            {
                var escaped = template[++i] switch
                {
                    'n' => "\n",
                    't' => "\t",
                    'r' => "\r",
                    '\\' => "\\",
                    var other => "\\" + other,
                };
                literal.Append(escaped);
            }
            else if (c == '%')
            {
                if (i + 1 >= template.Length)
                {
                    error = "--format ends with a lone '%' (write %% for a percent sign)";
                    format = null!;
                    return false;
                }

                var field = template[++i];
                if (field == '%')
                {
                    literal.Append('%');
                    continue;
                }

                if ("tpokvsThKS".IndexOf(field, StringComparison.Ordinal) < 0)
                {
                    error = $"--format: unknown field %{field} (known: %t %p %o %k %v %s %T %h %K %S %%)";
                    format = null!;
                    return false;
                }

                if (literal.Length > 0)
                {
                    parts.Add(new Part(Field: null, literal.ToString()));
                    literal.Clear();
                }

                parts.Add(new Part(field, Literal: null));
            }
            else
            {
                literal.Append(c);
            }
        }

        if (literal.Length > 0)
        {
            parts.Add(new Part(Field: null, literal.ToString()));
        }

        format = new RecordFormat(parts, template);
        return true;
    }

    public void Write(TextWriter writer, ConsumeResult<byte[]?, byte[]?> record)
    {
        foreach (var part in _parts)
        {
            if (part.Literal is not null)
            {
                writer.Write(part.Literal);
                continue;
            }

            switch (part.Field)
            {
                case 't':
                    writer.Write(record.Topic);
                    break;
                case 'p':
                    writer.Write(record.Partition.Value.ToString(CultureInfo.InvariantCulture));
                    break;
                case 'o':
                    writer.Write(record.Offset.Value.ToString(CultureInfo.InvariantCulture));
                    break;
                case 'k':
                    writer.Write(Text(record.Message.Key));
                    break;
                case 'v' or 's':
                    writer.Write(Text(record.Message.Value));
                    break;
                case 'T':
                    writer.Write(record.Message.Timestamp.UnixTimestampMs.ToString(CultureInfo.InvariantCulture));
                    break;
                case 'h':
                    WriteHeaders(writer, record.Message.Headers);
                    break;
                case 'K':
                    writer.Write((record.Message.Key?.Length ?? -1).ToString(CultureInfo.InvariantCulture));
                    break;
                case 'S':
                    writer.Write((record.Message.Value?.Length ?? -1).ToString(CultureInfo.InvariantCulture));
                    break;
            }
        }
    }

    /// <summary>The template as given (help shows it as the default).</summary>
    public override string ToString() => _template;

    /// <summary>Bytes as UTF-8 text; a null key or value prints as nothing (kcat prints nothing too).</summary>
    public static string Text(byte[]? bytes) => bytes is null ? string.Empty : Encoding.UTF8.GetString(bytes);

    private static void WriteHeaders(TextWriter writer, Headers? headers)
    {
        if (headers is null)
        {
            return;
        }

        for (var i = 0; i < headers.Count; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }

            writer.Write(headers[i].Key);
            writer.Write('=');
            writer.Write(Text(headers[i].GetValueBytes()));
        }
    }

    private sealed record Part(char? Field, string? Literal);
}
