using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>A parsed label selector (<c>a=b,c!=d,e in (f,g),h notin (i),j,!k</c>).</summary>
internal sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _terms = [];

    public bool IsEmpty => _terms.Count == 0;

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in SplitTerms(text))
        {
            var term = raw.Trim();
            if (term.Length == 0)
            {
                continue;
            }

            var inIndex = IndexOfWord(term, " in ");
            var notinIndex = IndexOfWord(term, " notin ");
            if (notinIndex > 0)
            {
                var key = term[..notinIndex].Trim();
                var values = Values(term[(notinIndex + 7)..]);
                selector._terms.Add(l => !l.TryGetValue(key, out var v) || !values.Contains(v));
            }
            else if (inIndex > 0)
            {
                var key = term[..inIndex].Trim();
                var values = Values(term[(inIndex + 4)..]);
                selector._terms.Add(l => l.TryGetValue(key, out var v) && values.Contains(v));
            }
            else if (term.Contains("!=", StringComparison.Ordinal))
            {
                var parts = term.Split("!=", 2);
                var (key, value) = (parts[0].Trim(), parts[1].Trim());
                selector._terms.Add(l => !l.TryGetValue(key, out var v) || v != value);
            }
            else if (term.Contains('=', StringComparison.Ordinal))
            {
                var parts = term.Split('=', 2);
                var key = parts[0].Trim();
                var value = parts[1].TrimStart('=').Trim();
                selector._terms.Add(l => l.TryGetValue(key, out var v) && v == value);
            }
            else if (term.StartsWith('!'))
            {
                var key = term[1..].Trim();
                selector._terms.Add(l => !l.ContainsKey(key));
            }
            else
            {
                var key = term;
                selector._terms.Add(l => l.ContainsKey(key));
            }
        }

        return selector;
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _terms.All(t => t(labels));

    /// <summary>Builds a selector from its object form (<c>matchLabels</c>, <c>matchExpressions</c>); <c>{}</c> selects everything.</summary>
    public static LabelSelector FromObject(JsonObject? selector)
    {
        var result = new LabelSelector();
        foreach (var (key, value) in selector?["matchLabels"] as JsonObject ?? [])
        {
            var expected = value?.ToString();
            result._terms.Add(l => l.TryGetValue(key, out var v) && v == expected);
        }

        foreach (var expression in (selector?["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var key = (string?)expression["key"] ?? string.Empty;
            var values = (expression["values"] as JsonArray ?? []).Select(v => v?.ToString() ?? string.Empty).ToHashSet(StringComparer.Ordinal);
            Func<IReadOnlyDictionary<string, string>, bool> term = (string?)expression["operator"] switch
            {
                "In" => l => l.TryGetValue(key, out var v) && values.Contains(v),
                "NotIn" => l => !l.TryGetValue(key, out var v) || !values.Contains(v),
                "Exists" => l => l.ContainsKey(key),
                "DoesNotExist" => l => !l.ContainsKey(key),
                _ => _ => false,
            };
            result._terms.Add(term);
        }

        return result;
    }

    /// <summary>The labels of an object as a dictionary.</summary>
    public static Dictionary<string, string> LabelsOf(JsonObject obj) =>
        (obj["metadata"]?["labels"] as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => kv.Value?.ToString() ?? string.Empty, StringComparer.Ordinal);

    private static int IndexOfWord(string term, string word)
    {
        var paren = term.IndexOf('(', StringComparison.Ordinal);
        var i = term.IndexOf(word, StringComparison.Ordinal);
        return i > 0 && (paren < 0 || i < paren) ? i : -1;
    }

    private static HashSet<string> Values(string text) =>
        text.Trim().TrimStart('(').TrimEnd(')').Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }
}

/// <summary>A parsed field selector (<c>metadata.name=x,metadata.namespace!=y</c>, other dotted paths compared as strings).</summary>
internal sealed class FieldSelector
{
    private readonly List<(string Path, string Value, bool Equal)> _terms = [];

    public bool IsEmpty => _terms.Count == 0;

    public static FieldSelector Parse(string? text)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            if (term.Length == 0)
            {
                continue;
            }

            if (term.Contains("!=", StringComparison.Ordinal))
            {
                var p = term.Split("!=", 2);
                selector._terms.Add((p[0].Trim(), p[1].Trim(), false));
            }
            else if (term.Contains('=', StringComparison.Ordinal))
            {
                var p = term.Split('=', 2);
                selector._terms.Add((p[0].Trim(), p[1].TrimStart('=').Trim(), true));
            }
            else
            {
                throw StatusErrors.BadRequest($"unable to parse requirement: invalid field selector: '{term}'");
            }
        }

        return selector;
    }

    public string? ExactName => _terms.FirstOrDefault(t => t.Path == "metadata.name" && t.Equal).Value;

    public bool Matches(JsonObject obj)
    {
        foreach (var (path, value, equal) in _terms)
        {
            JsonNode? node = obj;
            foreach (var part in path.Split('.'))
            {
                node = node is JsonObject o ? o[part] : null;
            }

            var actual = node is null ? string.Empty : node is JsonValue v ? v.ToString() : node.ToJsonString();
            if (node is JsonValue b && b.TryGetValue<bool>(out var boolean))
            {
                actual = boolean ? "true" : "false";
            }

            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }
}
