using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.InMemory;

/// <summary>The JSON work of <see cref="InMemoryCluster"/>'s simplified apply: the leaf fields a writer sets (as JSON pointers), removing and merging fields, and comparing content and spec.</summary>
internal static class FieldPaths
{
    /// <summary>Leaf paths (JSON pointers) of the fields a writer sets: everything but identity, server metadata and status. Arrays are leaves.</summary>
    public static Dictionary<string, string> Leaves(JsonElement root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in root.EnumerateObject())
        {
            if (p.Name is "apiVersion" or "kind" or "status")
            {
                continue;
            }

            if (p.Name == "metadata")
            {
                foreach (var m in p.Value.EnumerateObject())
                {
                    if (m.Name is "labels" or "annotations")
                    {
                        Walk(m.Value, "/metadata/" + m.Name, result);
                    }
                }

                continue;
            }

            Walk(p.Value, "/" + Escape(p.Name), result);
        }

        return result;
    }

    private static void Walk(JsonElement e, string path, Dictionary<string, string> result)
    {
        if (e.ValueKind == JsonValueKind.Object && e.EnumerateObject().Any())
        {
            foreach (var p in e.EnumerateObject())
            {
                Walk(p.Value, path + "/" + Escape(p.Name), result);
            }
        }
        else
        {
            result[path] = e.GetRawText();
        }
    }

    private static string Escape(string name) => name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static void RemovePath(JsonObject root, string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(static s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))
            .ToArray();
        JsonObject? current = root;
        for (var i = 0; i < segments.Length - 1 && current is not null; i++)
        {
            current = current[segments[i]] as JsonObject;
        }

        current?.Remove(segments[^1]);
    }

    public static void Merge(JsonObject target, JsonObject source)
    {
        foreach (var (name, value) in source.ToList())
        {
            source.Remove(name);
            if (value is JsonObject sourceChild && target[name] is JsonObject targetChild)
            {
                Merge(targetChild, sourceChild);
            }
            else
            {
                target[name] = value;
            }
        }
    }

    public static bool SameContent(KubeObject existing, JsonObject merged)
    {
        var a = existing.ToJsonObject();
        Strip(a);
        var b = (JsonObject)merged.DeepClone();
        Strip(b);
        return JsonNode.DeepEquals(a, b);

        static void Strip(JsonObject o)
        {
            if (o["metadata"] is JsonObject m)
            {
                foreach (var name in (ReadOnlySpan<string>)["managedFields", "resourceVersion", "uid", "creationTimestamp", "generation"])
                {
                    m.Remove(name);
                }
            }
        }
    }

    public static bool SameSpec(KubeObject existing, JsonObject node)
    {
        var a = existing.ToJsonObject();
        var b = (JsonObject)node.DeepClone();
        a.Remove("metadata");
        a.Remove("status");
        b.Remove("metadata");
        b.Remove("status");
        return JsonNode.DeepEquals(a, b);
    }
}
