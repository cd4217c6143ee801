using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Kubernetes;

/// <summary>
/// Cleans server quirks out of dry-run results before they are used for drift decisions, and compares objects the
/// way a write would change them.
/// </summary>
/// <remarks>
/// Known quirk: a server-side dry-run of an <c>autoscaling/v2</c> HorizontalPodAutoscaler, once the controller had
/// written status, returned <c>spec.metrics</c> with entries duplicated and with empty entries. Empty metric entries
/// (no source besides <c>type</c>) are removed and duplicates (same canonical JSON) are collapsed.
/// </remarks>
internal static class DryRunNormalizer
{
    /// <summary>Returns <paramref name="obj"/> without known dry-run quirks (the same instance when there is nothing to clean).</summary>
    /// <param name="obj">A dry-run result or a live object.</param>
    /// <returns>The normalized object.</returns>
    public static KubeObject Normalize(KubeObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj.Group == "autoscaling" && obj.Kind == "HorizontalPodAutoscaler"
            && obj.Json.TryGetProperty("spec", out var spec)
            && spec.TryGetProperty("metrics", out var metrics)
            && metrics.ValueKind == JsonValueKind.Array
            && NeedsMetricCleanup(metrics))
        {
            return obj.With(static node =>
            {
                var list = node["spec"]!["metrics"]!.AsArray();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var kept = new JsonArray();
                foreach (var item in list)
                {
                    if (item is not JsonObject entry || IsEmptyMetric(entry))
                    {
                        continue;
                    }

                    if (seen.Add(Canonical(entry)))
                    {
                        kept.Add(entry.DeepClone());
                    }
                }

                node["spec"]!["metrics"] = kept;
            });
        }

        return obj;
    }

    /// <summary>
    /// Returns a hash of <paramref name="obj"/>'s content without what every write changes (<c>resourceVersion</c>,
    /// <c>generation</c>, <c>managedFields</c>): equal for a live object and the dry-run of an apply that would change nothing.
    /// </summary>
    /// <param name="obj">The object.</param>
    /// <returns>A hex SHA-256.</returns>
    public static string ComparableHash(KubeObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var node = obj.ToJsonObject();
        if (node["metadata"] is JsonObject meta)
        {
            meta.Remove("managedFields");
            meta.Remove("resourceVersion");
            meta.Remove("generation");
        }

        var canonical = KubeObject.FromNode(node);
        return canonical.ContentHash;
    }

    /// <summary>Returns <c>metadata.resourceVersion</c>, or <see langword="null"/>.</summary>
    /// <param name="obj">The object.</param>
    /// <returns>The resourceVersion.</returns>
    public static string? ResourceVersion(KubeObject? obj) =>
        obj is not null
        && obj.Metadata.ValueKind == JsonValueKind.Object
        && obj.Metadata.TryGetProperty("resourceVersion", out var rv)
        && rv.ValueKind == JsonValueKind.String
            ? rv.GetString()
            : null;

    private static bool NeedsMetricCleanup(JsonElement metrics)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var m in metrics.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object || IsEmptyMetric(m) || !seen.Add(Canonical(m)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsEmptyMetric(JsonElement metric)
    {
        foreach (var p in metric.EnumerateObject())
        {
            if (p.Name != "type" && p.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
                && !(p.Value.ValueKind == JsonValueKind.Object && !p.Value.EnumerateObject().Any()))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsEmptyMetric(JsonObject metric)
    {
        foreach (var (name, value) in metric)
        {
            if (name != "type" && value is not null && !(value is JsonObject o && o.Count == 0))
            {
                return false;
            }
        }

        return true;
    }

    private static string Canonical(JsonElement element)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            KubeObject.WriteCanonical(element, writer);
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static string Canonical(JsonObject node)
    {
        using var doc = JsonDocument.Parse(node.ToJsonString());
        return Canonical(doc.RootElement);
    }
}
