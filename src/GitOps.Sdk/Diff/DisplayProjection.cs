using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Diff;

/// <summary>
/// Builds the normalized objects of a diff for display: server-owned metadata and <c>status</c> removed, the live side
/// being the desired object with each field change undone to its live value (so values that compare equal show in one
/// spelling and the text diff shows exactly the changes), and Secret values masked.
/// </summary>
internal sealed class DisplayProjection
{
    private readonly bool _isSecret;

    public DisplayProjection(bool isSecret) => _isSecret = isSecret;

    /// <summary>
    /// Projects an existing pair: the normalized desired object, and the same object with each recorded change undone
    /// to its live value — so the two differ exactly where <paramref name="changes"/> say, and nowhere else.
    /// </summary>
    public (JsonObject Desired, JsonObject Live) Project(KubeObject desired, IReadOnlyList<FieldChange> changes)
    {
        var outD = desired.ToJsonObject();
        outD.Remove("status");
        if (outD["metadata"] is JsonObject metadata)
        {
            foreach (var name in (ReadOnlySpan<string>)["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"])
            {
                metadata.Remove(name);
            }
        }

        if (_isSecret)
        {
            MergeStringData(outD);
            SecretMasking.MaskSecret(outD);
        }

        var outL = (JsonObject)outD.DeepClone();

        // Undo changes deepest and last first, so that removing a list item never shifts an index still to be used.
        foreach (var change in changes.OrderByDescending(c => c.Path, PointerOrder.Instance))
        {
            var segments = change.Path.Split('/')[1..].Select(JsonValues.UnescapePointerSegment).ToArray();
            if (segments.Length == 0)
            {
                continue;
            }

            var secretValue = _isSecret && segments[0] is "data" or "stringData";
            if (secretValue && segments[0] == "stringData")
            {
                segments[0] = "data";
            }

            if (secretValue && change.Kind == FieldChangeKind.Changed && segments.Length == 2)
            {
                if (outD["data"] is JsonObject dataD)
                {
                    dataD[segments[1]] = SecretMasking.DesiredMask;
                }
            }

            var parent = Navigate(outL, segments);
            var last = segments[^1];
            JsonNode? liveValue = change.LiveValue is null ? null
                : secretValue ? (segments.Length == 1 && change.LiveValue.StartsWith('{') ? JsonNode.Parse(change.LiveValue) : JsonValue.Create(SecretMasking.LiveMask))
                : JsonNode.Parse(change.LiveValue);
            switch (parent)
            {
                case JsonObject o when change.Kind == FieldChangeKind.Added:
                    o.Remove(last);
                    break;
                case JsonObject o:
                    o[last] = liveValue;
                    break;
                case JsonArray a when change.Kind == FieldChangeKind.Added:
                    if (int.TryParse(last, out var addedIndex) && addedIndex < a.Count)
                    {
                        a.RemoveAt(addedIndex);
                    }

                    break;
                case JsonArray a when change.Kind == FieldChangeKind.Removed:
                    a.Add(liveValue);
                    break;
                case JsonArray a:
                    if (int.TryParse(last, out var changedIndex) && changedIndex < a.Count)
                    {
                        a[changedIndex] = liveValue;
                    }

                    break;
            }
        }

        return (outD, outL);
    }

    private static JsonNode? Navigate(JsonObject root, string[] segments)
    {
        JsonNode? node = root;
        for (var i = 0; i < segments.Length - 1 && node is not null; i++)
        {
            node = node switch
            {
                JsonObject o => o[segments[i]],
                JsonArray a when int.TryParse(segments[i], out var n) && n < a.Count => a[n],
                _ => null,
            };
        }

        return node;
    }

    /// <summary>Orders JSON pointers segment by segment, numbers numerically, so that descending order visits later list items first.</summary>
    private sealed class PointerOrder : IComparer<string>
    {
        public static readonly PointerOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var a = (x ?? string.Empty).Split('/');
            var b = (y ?? string.Empty).Split('/');
            for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
            {
                var c = int.TryParse(a[i], out var na) && int.TryParse(b[i], out var nb) ? na.CompareTo(nb) : string.CompareOrdinal(a[i], b[i]);
                if (c != 0)
                {
                    return c;
                }
            }

            return a.Length.CompareTo(b.Length);
        }
    }

    /// <summary>Normalizes one object on its own (create and prune): server-owned metadata and status removed, Secret values masked.</summary>
    public static JsonObject Strip(KubeObject obj)
    {
        var node = obj.ToJsonObject();
        node.Remove("status");
        if (node["metadata"] is JsonObject metadata)
        {
            foreach (var name in (ReadOnlySpan<string>)["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"])
            {
                metadata.Remove(name);
            }
        }

        if (obj.IsSecret)
        {
            MergeStringData(node);
            SecretMasking.MaskSecret(node);
        }

        return node;
    }

    private static void MergeStringData(JsonObject secret)
    {
        if (secret["stringData"] is not JsonObject stringData)
        {
            return;
        }

        if (secret["data"] is not JsonObject data)
        {
            data = [];
            secret["data"] = data;
        }

        foreach (var key in stringData.Select(p => p.Key).ToList())
        {
            data[key] = SecretMasking.Mask;
        }

        secret.Remove("stringData");
    }
}
