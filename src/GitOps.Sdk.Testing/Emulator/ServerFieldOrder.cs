using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>The order of fields in what the API server returns (Go struct order), so that responses and stored state read like a real server's.</summary>
internal static class ServerFieldOrder
{
    private static readonly string[] MetadataOrder =
        ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
         "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields"];

    /// <summary>Orders keys like the API server serializes them: kind, apiVersion, metadata (Go field order), then the rest.</summary>
    public static JsonObject Normalize(JsonObject obj)
    {
        var result = new JsonObject();
        foreach (var key in new[] { "kind", "apiVersion" })
        {
            if (obj.TryGetPropertyValue(key, out var v))
            {
                result[key] = v?.DeepClone();
            }
        }

        if (obj["metadata"] is JsonObject meta)
        {
            var m = new JsonObject();
            foreach (var key in MetadataOrder)
            {
                if (meta.TryGetPropertyValue(key, out var v))
                {
                    m[key] = v?.DeepClone();
                }
            }

            foreach (var (key, v) in meta)
            {
                if (!m.ContainsKey(key))
                {
                    m[key] = v?.DeepClone();
                }
            }

            result["metadata"] = m;
        }

        foreach (var (key, v) in obj)
        {
            if (!result.ContainsKey(key))
            {
                result[key] = v?.DeepClone();
            }
        }

        return result;
    }
}
