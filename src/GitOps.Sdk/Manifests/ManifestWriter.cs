using System.Text;
using System.Text.Json;

namespace GitOps.Sdk.Manifests;

/// <summary>
/// Writes objects as block YAML the way <c>kubectl get -o yaml</c> lays it out: two-space indentation, sequences at the
/// indentation of their key, key order preserved, multi-line strings as literal blocks, and any string that would read
/// back as something else (<c>"80"</c>, <c>"yes"</c>, <c>"null"</c>, <c>"2026-01-15"</c>) double-quoted.
/// </summary>
/// <remarks>
/// Reading the output with <see cref="ManifestReader"/> gives back the same object for anything the reader produced.
/// The output holds the whole object, a Secret's data included: callers must not print it for a Secret.
/// </remarks>
public static class ManifestWriter
{
    private const string Separator = "---\n";

    /// <summary>Writes one object as a YAML document (no <c>---</c>).</summary>
    /// <param name="obj">The object.</param>
    /// <returns>The YAML text, ending with a newline.</returns>
    public static string ToYaml(KubeObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return ToYaml(obj.Json);
    }

    /// <summary>Writes any JSON value as a YAML document (no <c>---</c>).</summary>
    /// <param name="element">The value.</param>
    /// <returns>The YAML text, ending with a newline.</returns>
    public static string ToYaml(JsonElement element)
    {
        var sb = new StringBuilder(1024);
        WriteDocument(sb, element);
        return sb.ToString();
    }

    /// <summary>Writes objects as one multi-document stream, separated by <c>---</c> lines.</summary>
    /// <param name="objects">The objects, in the order to write them.</param>
    /// <returns>The YAML stream; empty for no objects.</returns>
    public static string ToYamlStream(IEnumerable<KubeObject> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var sb = new StringBuilder(4096);
        var first = true;
        foreach (var obj in objects)
        {
            if (!first)
            {
                sb.Append(Separator);
            }

            first = false;
            WriteDocument(sb, obj.Json);
        }

        return sb.ToString();
    }

    private static void WriteDocument(StringBuilder sb, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object when HasItems(element):
                WriteMapping(sb, element, 0, firstInline: false);
                break;
            case JsonValueKind.Array when element.GetArrayLength() > 0:
                WriteSequence(sb, element, 0, firstInline: false);
                break;
            default:
                WriteScalar(sb, element);
                sb.Append('\n');
                break;
        }
    }

    private static bool HasItems(JsonElement obj)
    {
        using var e = obj.EnumerateObject();
        return e.MoveNext();
    }

    private static void WriteMapping(StringBuilder sb, JsonElement obj, int indent, bool firstInline)
    {
        var first = true;
        foreach (var property in obj.EnumerateObject())
        {
            if (!(first && firstInline))
            {
                sb.Append(' ', indent);
            }

            first = false;
            WriteString(sb, property.Name);
            sb.Append(':');
            WriteValue(sb, property.Value, indent, inSequence: false);
        }
    }

    private static void WriteSequence(StringBuilder sb, JsonElement array, int indent, bool firstInline)
    {
        var first = true;
        foreach (var item in array.EnumerateArray())
        {
            if (!(first && firstInline))
            {
                sb.Append(' ', indent);
            }

            first = false;
            sb.Append('-');
            WriteValue(sb, item, indent, inSequence: true);
        }
    }

    /// <summary>Writes what follows a key's colon or a sequence dash, ending with a newline.</summary>
    private static void WriteValue(StringBuilder sb, JsonElement value, int indent, bool inSequence)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when HasItems(value):
                if (inSequence)
                {
                    sb.Append(' ');
                    WriteMapping(sb, value, indent + 2, firstInline: true);
                }
                else
                {
                    sb.Append('\n');
                    WriteMapping(sb, value, indent + 2, firstInline: false);
                }

                break;
            case JsonValueKind.Array when value.GetArrayLength() > 0:
                if (inSequence)
                {
                    sb.Append(' ');
                    WriteSequence(sb, value, indent + 2, firstInline: true);
                }
                else
                {
                    // kubectl style: a sequence under a key sits at the key's indentation.
                    sb.Append('\n');
                    WriteSequence(sb, value, indent, firstInline: false);
                }

                break;
            case JsonValueKind.String when TryLiteral(value.GetString()!, out _):
                sb.Append(' ');
                WriteLiteral(sb, value.GetString()!, indent + 2);
                break;
            default:
                sb.Append(' ');
                WriteScalar(sb, value);
                sb.Append('\n');
                break;
        }
    }

    private static void WriteScalar(StringBuilder sb, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append("{}");
                break;
            case JsonValueKind.Array:
                sb.Append("[]");
                break;
            case JsonValueKind.String:
                WriteString(sb, value.GetString()!);
                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            case JsonValueKind.Null:
                sb.Append("null");
                break;
            default:
                sb.Append(value.GetRawText());
                break;
        }
    }

    private static void WriteString(StringBuilder sb, string text)
    {
        if (IsPlainSafe(text))
        {
            sb.Append(text);
        }
        else
        {
            WriteDoubleQuoted(sb, text);
        }
    }

    /// <summary>A literal block (<c>|</c>) keeps a multi-line string readable; only text it represents exactly qualifies.</summary>
    private static bool TryLiteral(string text, out int trailingNewlines)
    {
        trailingNewlines = 0;
        if (text.IndexOf('\n', StringComparison.Ordinal) < 0)
        {
            return false;
        }

        var hasContent = false;
        foreach (var c in text)
        {
            if (c is '\n' or '\t')
            {
                continue;
            }

            if (c < ' ' || c is '\u007F' or '\u0085' or '\u2028' or '\u2029' or '\uFEFF' || char.IsSurrogate(c) || (c >= '\u0080' && c < '\u00A0'))
            {
                return false;
            }

            if (c != ' ')
            {
                hasContent = true;
            }
        }

        if (!hasContent)
        {
            return false;
        }

        var end = text.Length;
        while (end > 0 && text[end - 1] == '\n')
        {
            end--;
            trailingNewlines++;
        }

        // A line of only blanks is ambiguous in a block scalar (it may read as an empty line); a leading tab is indentation noise.
        foreach (var line in text.AsSpan(0, end).EnumerateLines())
        {
            if ((line.Length > 0 && line.IsWhiteSpace()) || (line.Length > 0 && line[0] == '\t'))
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteLiteral(StringBuilder sb, string text, int indent)
    {
        TryLiteral(text, out var trailing);
        sb.Append('|');
        var body = text.AsSpan(0, text.Length - trailing);
        if (body.Length > 0 && (body[0] == ' ' || body[0] == '\n'))
        {
            sb.Append('2');
        }

        sb.Append(trailing switch { 0 => "-", 1 => string.Empty, _ => "+" }).Append('\n');
        foreach (var line in body.EnumerateLines())
        {
            if (line.Length > 0)
            {
                sb.Append(' ', indent).Append(line);
            }

            sb.Append('\n');
        }

        for (var i = 1; i < trailing; i++)
        {
            sb.Append('\n');
        }
    }

    /// <summary>Whether <paramref name="text"/> can be written unquoted and read back as the same string by any YAML reader.</summary>
    internal static bool IsPlainSafe(string text)
    {
        if (text.Length == 0 || text[0] == ' ' || text[^1] == ' ' || text[^1] == ':')
        {
            return false;
        }

        var first = text[0];
        if (!(char.IsAsciiLetter(first) || first is '/' or '_' or '$' or '.' or '(' or '-'))
        {
            return false;
        }

        if (first == '-' && (text.Length == 1 || text[1] is ' ' or '-' or '.' || char.IsAsciiDigit(text[1])))
        {
            return false;
        }

        if (first == '.' && text.StartsWith("...", StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is < ' ' or > '~' or '{' or '}' or '[' or ']' or ',' or '"' or '\'' or '`' or '\\')
            {
                return false;
            }

            if ((c == ':' && i + 1 < text.Length && text[i + 1] == ' ') || (c == '#' && text[i - 1] == ' '))
            {
                return false;
            }
        }

        return text is not ("<<" or "=") && YamlScalar.ResolvePlain(text, out _, out _) == ScalarKind.String && !LooksNumericOrBoolean(text);
    }

    /// <summary>YAML 1.2 readers (yaml.v3, kyaml, YamlDotNet's defaults) have their own literals; quote those too.</summary>
    private static bool LooksNumericOrBoolean(string text) =>
        text.Equals("true", StringComparison.OrdinalIgnoreCase)
        || text.Equals("false", StringComparison.OrdinalIgnoreCase)
        || text.Equals("null", StringComparison.OrdinalIgnoreCase)
        || text.Equals(".inf", StringComparison.OrdinalIgnoreCase)
        || text.Equals(".nan", StringComparison.OrdinalIgnoreCase);

    private static void WriteDoubleQuoted(StringBuilder sb, string text)
    {
        sb.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                default:
                    if (c < ' ' || c is '\u007F' or '\u0085' or '\u2028' or '\u2029' or '\uFEFF' || (c >= '\u0080' && c < '\u00A0'))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
