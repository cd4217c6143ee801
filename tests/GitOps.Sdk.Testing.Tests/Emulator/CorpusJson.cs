using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>
/// Normalizes live objects for comparison with the recorded corpus: drops what differs between any two servers
/// (uid, timestamps, resourceVersion, allocated IPs and ports) and what controllers, not the API server, wrote.
/// </summary>
internal static class CorpusJson
{
    private static readonly HashSet<string> Controllers = new(StringComparer.Ordinal) { "kube-controller-manager", "Go-http-client", "kube-scheduler" };

    public static JsonNode? Normalize(JsonNode? node)
    {
        if (node is not JsonObject source)
        {
            return node;
        }

        var obj = (JsonObject)source.DeepClone();
        obj.Remove("status");
        var meta = obj["metadata"] as JsonObject;
        if (meta is not null)
        {
            var uid = (string?)meta["uid"];
            meta.Remove("uid");
            meta.Remove("creationTimestamp");
            meta.Remove("resourceVersion");
            meta.Remove("selfLink");
            if (meta["annotations"] is JsonObject annotations)
            {
                annotations.Remove("deployment.kubernetes.io/revision");
                if (annotations.Count == 0)
                {
                    meta.Remove("annotations");
                }
            }

            if (meta["managedFields"] is JsonArray managed)
            {
                var kept = new JsonArray();
                foreach (var entry in managed.OfType<JsonObject>()
                    .Where(e => !Controllers.Contains((string?)e["manager"] ?? string.Empty))
                    .OrderBy(e => (string?)e["manager"], StringComparer.Ordinal)
                    .ThenBy(e => (string?)e["operation"], StringComparer.Ordinal))
                {
                    var copy = (JsonObject)entry.DeepClone();
                    copy.Remove("time");
                    kept.Add(copy);
                }

                meta["managedFields"] = kept;
            }

            if (uid is not null)
            {
                ReplaceValue(obj, uid, "<uid>");
            }
        }

        if ((string?)obj["kind"] == "ServiceAccount")
        {
            obj.Remove("secrets");
        }

        if ((string?)obj["kind"] == "Service" && obj["spec"] is JsonObject spec)
        {
            if (spec["clusterIP"] is JsonValue ip && (string?)ip != "None")
            {
                spec["clusterIP"] = "<allocated>";
                spec["clusterIPs"] = new JsonArray("<allocated>");
            }

            foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (port["nodePort"] is not null)
                {
                    port["nodePort"] = "<allocated>";
                }
            }
        }

        return obj;
    }

    private static void ReplaceValue(JsonNode node, string value, string replacement)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(kv => kv.Key).ToList())
                {
                    if (o[key] is JsonValue v && v.TryGetValue<string>(out var s) && s == value)
                    {
                        o[key] = replacement;
                    }
                    else if (o[key] is JsonNode child)
                    {
                        ReplaceValue(child, value, replacement);
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonValue v && v.TryGetValue<string>(out var s) && s == value)
                    {
                        a[i] = replacement;
                    }
                    else if (a[i] is JsonNode child)
                    {
                        ReplaceValue(child, value, replacement);
                    }
                }

                break;
        }
    }

    /// <summary>Lists the JSON paths where two documents differ (empty when equal).</summary>
    public static List<string> Differences(JsonNode? expected, JsonNode? actual, string path = "")
    {
        var result = new List<string>();
        Walk(expected, actual, path, result);
        return result;
    }

    private static void Walk(JsonNode? e, JsonNode? a, string path, List<string> result)
    {
        if (e is JsonObject eo && a is JsonObject ao)
        {
            foreach (var (k, v) in eo)
            {
                if (!ao.ContainsKey(k))
                {
                    result.Add($"{path}/{k}: missing (expected {Short(v)})");
                }
                else
                {
                    Walk(v, ao[k], $"{path}/{k}", result);
                }
            }

            foreach (var (k, v) in ao)
            {
                if (!eo.ContainsKey(k))
                {
                    result.Add($"{path}/{k}: unexpected {Short(v)}");
                }
            }

            return;
        }

        if (e is JsonArray ea && a is JsonArray aa && ea.Count == aa.Count)
        {
            for (var i = 0; i < ea.Count; i++)
            {
                Walk(ea[i], aa[i], $"{path}/{i}", result);
            }

            return;
        }

        if (!JsonNode.DeepEquals(e, a))
        {
            result.Add($"{path}: expected {Short(e)}, got {Short(a)}");
        }
    }

    private static string Short(JsonNode? n)
    {
        var s = n?.ToJsonString() ?? "null";
        return s.Length > 300 ? s[..300] + "…" : s;
    }
}
