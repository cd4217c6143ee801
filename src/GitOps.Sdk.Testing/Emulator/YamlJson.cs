using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>
/// Converts YAML (as a client sends in an <c>application/apply-patch+yaml</c> body) to JSON nodes the way the
/// API server's sigs.k8s.io/yaml decoder does: plain scalars resolve to null, booleans, integers and floats
/// (YAML 1.1 style booleans included), quoted scalars stay strings, anchors, aliases and merge keys resolve.
/// </summary>
internal static class YamlJson
{
    public static List<JsonNode?> ParseDocuments(string yaml)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(yaml))
        {
            stream.Load(reader);
        }

        var result = new List<JsonNode?>();
        foreach (var document in stream.Documents)
        {
            var node = Convert(document.RootNode);
            if (node is not null)
            {
                result.Add(node);
            }
        }

        return result;
    }

    public static JsonNode? Parse(string yaml)
    {
        var docs = ParseDocuments(yaml);
        return docs.Count == 0 ? null : docs[0];
    }

    private static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                var merges = new List<YamlNode>();
                foreach (var (key, value) in map.Children)
                {
                    if (key is YamlScalarNode { Value: "<<", Style: ScalarStyle.Plain })
                    {
                        merges.Add(value);
                        continue;
                    }

                    var name = key is YamlScalarNode s ? s.Value ?? "null" : key.ToString();
                    obj[name] = Convert(value);
                }

                foreach (var merge in merges)
                {
                    var sources = merge is YamlSequenceNode seq ? seq.Children : (IList<YamlNode>)[merge];
                    foreach (var source in sources)
                    {
                        if (Convert(source) is JsonObject mergeObj)
                        {
                            foreach (var (k, v) in mergeObj)
                            {
                                if (!obj.ContainsKey(k))
                                {
                                    obj[k] = v?.DeepClone();
                                }
                            }
                        }
                    }
                }

                return obj;
            case YamlSequenceNode seq2:
                var arr = new JsonArray();
                foreach (var child in seq2.Children)
                {
                    arr.Add(Convert(child));
                }

                return arr;
            case YamlScalarNode scalar:
                return ConvertScalar(scalar);
            default:
                return null;
        }
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        if (!scalar.Tag.IsEmpty && !scalar.Tag.IsNonSpecific && scalar.Tag.Value is "tag:yaml.org,2002:str" or "!!str")
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "y" or "Y" or "yes" or "Yes" or "YES" or "on" or "On" or "ON":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE" or "n" or "N" or "no" or "No" or "NO" or "off" or "Off" or "OFF":
                return JsonValue.Create(false);
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "-.inf" or ".nan" or ".NaN" or ".NAN":
                return JsonValue.Create(value);
        }

        var plain = value.Replace("_", string.Empty, StringComparison.Ordinal);
        if (long.TryParse(plain, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            if (plain.Length > 1 && (plain[0] == '0' || (plain.Length > 2 && plain[0] is '-' or '+' && plain[1] == '0')) && IsOctal(plain.TrimStart('-', '+')))
            {
                var oct = System.Convert.ToInt64(plain.TrimStart('-', '+'), 8);
                return JsonValue.Create(plain[0] == '-' ? -oct : oct);
            }

            return JsonValue.Create(l);
        }

        if (plain.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(plain.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex))
        {
            return JsonValue.Create(hex);
        }

        if (plain.StartsWith("0b", StringComparison.Ordinal) && plain.Length > 2 && plain[2..].All(c => c is '0' or '1'))
        {
            return JsonValue.Create(System.Convert.ToInt64(plain[2..], 2));
        }

        if (LooksLikeFloat(plain) && double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return JsonValue.Create(d);
        }

        return JsonValue.Create(value);
    }

    private static bool IsOctal(string s) => s.Length > 1 && s.All(c => c is >= '0' and <= '7');

    private static bool LooksLikeFloat(string s)
    {
        // YAML 1.1 float: [-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)? ; yaml.v2 also accepts 1e3.
        var i = 0;
        if (i < s.Length && s[i] is '-' or '+')
        {
            i++;
        }

        var digits = false;
        var dot = false;
        var exp = false;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsAsciiDigit(c))
            {
                digits = true;
            }
            else if (c == '.' && !dot && !exp)
            {
                dot = true;
            }
            else if (c is 'e' or 'E' && digits && !exp)
            {
                exp = true;
                if (i + 1 < s.Length && s[i + 1] is '-' or '+')
                {
                    i++;
                }
            }
            else
            {
                return false;
            }
        }

        return digits && (dot || exp);
    }
}
