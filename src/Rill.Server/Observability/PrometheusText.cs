using System.Globalization;
using System.Text;

namespace Rill.Server.Observability;

/// <summary>The pieces of Prometheus' text exposition format 0.0.4: label pairs, escaping, sample values.</summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary><c>name="value",…</c> without braces; values escaped, numbers in invariant culture.</summary>
    public static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        foreach (var tag in tags)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(tag.Key).Append("=\"");
            AppendEscaped(text, ValueText(tag.Value), escapeQuotes: true);
            text.Append('"');
        }

        return text.ToString();
    }

    /// <summary><c># HELP</c> and <c># TYPE</c> lines of a metric family.</summary>
    public static void AppendHeader(StringBuilder text, string name, string help, string type)
    {
        text.Append("# HELP ").Append(name).Append(' ');
        AppendEscaped(text, help, escapeQuotes: false);
        text.Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    /// <summary>One sample line: <c>name{labels} value</c>; <paramref name="extraLabel"/> (such as <c>le="0.5"</c>) goes last.</summary>
    public static void AppendSample(StringBuilder text, string name, string labels, string? extraLabel, double value)
    {
        text.Append(name);
        if (labels.Length > 0 || extraLabel is not null)
        {
            text.Append('{').Append(labels);
            if (extraLabel is not null)
            {
                if (labels.Length > 0)
                {
                    text.Append(',');
                }

                text.Append(extraLabel);
            }

            text.Append('}');
        }

        text.Append(' ');
        AppendValue(text, value);
        text.Append('\n');
    }

    public static void AppendValue(StringBuilder text, double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            text.Append("+Inf");
        }
        else if (double.IsNegativeInfinity(value))
        {
            text.Append("-Inf");
        }
        else if (double.IsNaN(value))
        {
            text.Append("NaN");
        }
        else
        {
            text.Append(value.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The <c>le</c> label of a histogram bucket.</summary>
    public static string BucketLabel(double upperBound)
    {
        var text = new StringBuilder("le=\"");
        AppendValue(text, upperBound);
        return text.Append('"').ToString();
    }

    private static string ValueText(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static void AppendEscaped(StringBuilder text, string value, bool escapeQuotes)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '"' when escapeQuotes:
                    text.Append("\\\"");
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }
    }
}
