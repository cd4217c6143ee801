using System.Text.Json.Nodes;

namespace GitOps.Sdk.TestUtilities;

/// <summary>One keyed list as a real server's <c>managedFields</c> show it: the kind, the field path (list items skipped) and the key fields.</summary>
/// <param name="Group">The API group ("" for core).</param>
/// <param name="Kind">The kind.</param>
/// <param name="Path">Field names from the object root to the list, <c>[]</c> where a list item is crossed, e.g. <c>spec.template.spec.containers.[].ports</c>.</param>
/// <param name="Keys">The key fields, sorted.</param>
public sealed record RecordedListKey(string Group, string Kind, string Path, IReadOnlyList<string> Keys)
{
    /// <inheritdoc />
    public override string ToString() => $"{Group}/{Kind} {Path} [{string.Join(",", Keys)}]";
}

/// <summary>
/// The facts about associative lists that the recorded corpus holds: every <c>k:{...}</c> entry of a <c>fieldsV1</c>
/// written by the real server names a list merged by key and its key fields. Both the emulator's and the engine's
/// schemas are checked against these.
/// </summary>
public static class RecordedListKeys
{
    /// <summary>Reads every keyed list from the managedFields of the corpus' live objects.</summary>
    /// <returns>The distinct keyed lists, sorted.</returns>
    public static IReadOnlyList<RecordedListKey> FromCorpus()
    {
        var found = new SortedDictionary<string, RecordedListKey>(StringComparer.Ordinal);
        foreach (var dir in TestPaths.KubeLiveCases)
        {
            foreach (var file in new[] { "live.json", "live-before.json", "dryrun.json" })
            {
                var path = System.IO.Path.Combine(dir, file);
                if (!File.Exists(path) || JsonNode.Parse(File.ReadAllText(path)) is not JsonObject obj || obj["metadata"] is null)
                {
                    continue;
                }

                var apiVersion = (string?)obj["apiVersion"] ?? string.Empty;
                var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : string.Empty;
                var kind = (string?)obj["kind"] ?? string.Empty;
                foreach (var entry in obj["metadata"]?["managedFields"] as JsonArray ?? [])
                {
                    if (entry?["fieldsV1"] is JsonObject fields)
                    {
                        Walk(fields, [], group, kind, found);
                    }
                }
            }
        }

        return [.. found.Values];
    }

    private static void Walk(JsonObject node, List<string> path, string group, string kind, SortedDictionary<string, RecordedListKey> found)
    {
        foreach (var (key, child) in node)
        {
            if (child is not JsonObject next)
            {
                continue;
            }

            if (key.StartsWith("f:", StringComparison.Ordinal))
            {
                path.Add(key[2..]);
                Walk(next, path, group, kind, found);
                path.RemoveAt(path.Count - 1);
            }
            else if (key.StartsWith("k:", StringComparison.Ordinal) && JsonNode.Parse(key[2..]) is JsonObject keyObject)
            {
                var keys = keyObject.Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
                var record = new RecordedListKey(group, kind, string.Join('.', path), keys);
                found.TryAdd(record.ToString(), record);
                path.Add("[]");
                Walk(next, path, group, kind, found);
                path.RemoveAt(path.Count - 1);
            }
            else if (key.StartsWith("v:", StringComparison.Ordinal) || key.StartsWith("i:", StringComparison.Ordinal))
            {
                path.Add("[]");
                Walk(next, path, group, kind, found);
                path.RemoveAt(path.Count - 1);
            }
        }
    }
}
