using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GitOps.Sdk.Diff;

/// <summary>
/// Writes a JSON value as block-style YAML for the text diff (key order kept, two-space indent, lists not indented
/// under their key, like <c>kubectl</c>). Strings that would read back as another type are quoted.
/// </summary>
internal static class DiffYaml
{
    public static string ToYaml(JsonElement value)
    {
        var sb = new StringBuilder();
        WriteBlock(sb, value, 0);
        return sb.ToString();
    }

    private static void WriteBlock(StringBuilder sb, JsonElement value, int indent)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                if (!HasItems(value))
                {
                    sb.Append(' ', indent).Append("{}\n");
                    return;
                }

                foreach (var p in value.EnumerateObject())
                {
                    sb.Append(' ', indent);
                    WriteEntry(sb, p, indent);
                }

                break;
            case JsonValueKind.Array:
                if (value.GetArrayLength() == 0)
                {
                    sb.Append(' ', indent).Append("[]\n");
                    return;
                }

                foreach (var item in value.EnumerateArray())
                {
                    sb.Append(' ', indent);
                    WriteItem(sb, item, indent);
                }

                break;
            default:
                sb.Append(' ', indent);
                WriteScalar(sb, value, indent);
                sb.Append('\n');
                break;
        }
    }

    private static void WriteEntry(StringBuilder sb, JsonProperty p, int indent)
    {
        sb.Append(Key(p.Name)).Append(':');
        WriteValueAfterIndicator(sb, p.Value, indent, isListItem: false);
    }

    private static void WriteItem(StringBuilder sb, JsonElement item, int indent)
    {
        sb.Append('-');
        if (item.ValueKind == JsonValueKind.Object && HasItems(item))
        {
            var first = true;
            foreach (var p in item.EnumerateObject())
            {
                if (first)
                {
                    sb.Append(' ');
                    first = false;
                }
                else
                {
                    sb.Append(' ', indent + 2);
                }

                WriteEntry(sb, p, indent + 2);
            }

            return;
        }

        WriteValueAfterIndicator(sb, item, indent, isListItem: true);
    }

    private static void WriteValueAfterIndicator(StringBuilder sb, JsonElement value, int indent, bool isListItem)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when HasItems(value):
                sb.Append('\n');
                WriteBlock(sb, value, indent + 2);
                break;
            case JsonValueKind.Array when value.GetArrayLength() > 0:
                sb.Append('\n');
                WriteBlock(sb, value, isListItem ? indent + 2 : indent);
                break;
            default:
                sb.Append(' ');
                WriteScalar(sb, value, indent + 2);
                sb.Append('\n');
                break;
        }
    }

    private static void WriteScalar(StringBuilder sb, JsonElement value, int indent)
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
                WriteString(sb, value.GetString()!, indent);
                break;
            case JsonValueKind.Null:
                sb.Append("null");
                break;
            default:
                sb.Append(value.GetRawText());
                break;
        }
    }

    private static void WriteString(StringBuilder sb, string s, int indent)
    {
        if (s.Contains('\n', StringComparison.Ordinal) && CanBeLiteralBlock(s))
        {
            var trailing = s.Length - s.TrimEnd('\n').Length;
            sb.Append('|').Append(trailing switch { 0 => "-", 1 => string.Empty, _ => "+" });
            var body = trailing == 0 ? s : s[..^trailing];
            foreach (var line in body.Split('\n'))
            {
                sb.Append('\n');
                if (line.Length > 0)
                {
                    sb.Append(' ', indent).Append(line);
                }
            }

            for (var i = 1; i < trailing; i++)
            {
                sb.Append('\n');
            }

            return;
        }

        if (IsPlainSafe(s))
        {
            sb.Append(s);
            return;
        }

        if (!s.Any(c => char.IsControl(c) || c == '\''))
        {
            sb.Append('\'').Append(s).Append('\'');
            return;
        }

        sb.Append(JsonSerializer.Serialize(s, JsonContext.Default.String));
    }

    private static bool HasItems(JsonElement obj)
    {
        using var e = obj.EnumerateObject();
        return e.MoveNext();
    }

    private static bool CanBeLiteralBlock(string s) =>
        !s.StartsWith(' ') && !s.Any(c => c != '\n' && char.IsControl(c) && c != '\t')
        && !s.Split('\n').Any(line => line.EndsWith(' ') || line.EndsWith('\t'));

    private static string Key(string name) => IsPlainSafe(name) ? name : JsonSerializer.Serialize(name, JsonContext.Default.String);

    private static bool IsPlainSafe(string s)
    {
        if (s.Length == 0 || char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1]))
        {
            return false;
        }

        if ("-?:,[]{}#&*!|>'\"%@`".Contains(s[0], StringComparison.Ordinal) && !(s[0] == '-' && s.Length > 1 && s[1] != ' ' && !LooksNumeric(s)))
        {
            return false;
        }

        if (s.Contains(": ", StringComparison.Ordinal) || s.Contains(" #", StringComparison.Ordinal) || s.EndsWith(':')
            || s.Any(char.IsControl))
        {
            return false;
        }

        var lower = s.ToLowerInvariant();
        if (lower is "true" or "false" or "yes" or "no" or "on" or "off" or "y" or "n" or "null" or "~" or ".nan" or ".inf" or "-.inf" or "+.inf")
        {
            return false;
        }

        return !LooksNumeric(s) && !LooksLikeTimestamp(s);
    }

    private static bool LooksNumeric(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
        || (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && s.Length > 2)
        || (s.StartsWith("0o", StringComparison.OrdinalIgnoreCase) && s.Length > 2)
        || s.Replace("_", string.Empty, StringComparison.Ordinal) is { Length: > 0 } u && u.All(char.IsAsciiDigit)
        || (s.Contains(':', StringComparison.Ordinal) && s.Split(':').All(part => part.Length > 0 && part.All(char.IsAsciiDigit)));

    private static bool LooksLikeTimestamp(string s) =>
        s.Length >= 10 && char.IsAsciiDigit(s[0]) && s[4] == '-' && s[7] == '-';
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class JsonContext : System.Text.Json.Serialization.JsonSerializerContext;
