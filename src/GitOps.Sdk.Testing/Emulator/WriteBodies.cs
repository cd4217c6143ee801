using System.Globalization;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>
/// Shapes the body of a write as the API server does: what a client may set (name, namespace, no server fields on
/// create), what an update keeps from the live object (server metadata; the status or everything but the status,
/// by subresource), and whether the spec changed (a new generation).
/// </summary>
internal static class WriteBodies
{
    public static string RandomSuffix()
    {
        const string chars = "bcdfghjklmnpqrstvwxz2456789";
        Span<char> s = stackalloc char[5];
        for (var i = 0; i < s.Length; i++)
        {
            s[i] = chars[System.Security.Cryptography.RandomNumberGenerator.GetInt32(chars.Length)];
        }

        return new string(s);
    }

    public static JsonObject NewMetadata(ResourceType type, string ns, string name)
    {
        var meta = new JsonObject { ["name"] = name };
        if (type.Namespaced)
        {
            meta["namespace"] = ns;
        }

        return meta;
    }

    public static void CheckApplyIdentity(ResourceType type, JsonObject config, string name, string ns)
    {
        var kind = (string?)config["kind"];
        var apiVersion = (string?)config["apiVersion"];
        if (string.IsNullOrEmpty(kind) || string.IsNullOrEmpty(apiVersion))
        {
            throw StatusErrors.BadRequest("error decoding YAML: Object 'Kind' is missing in '" + config.ToJsonString() + "'");
        }

        if (kind != type.Kind || apiVersion != type.ApiVersion)
        {
            throw StatusErrors.BadRequest($"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        }

        var bodyName = (string?)config["metadata"]?["name"];
        if (bodyName is not null && bodyName != name)
        {
            throw StatusErrors.BadRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + name + ")");
        }

        var bodyNs = (string?)config["metadata"]?["namespace"];
        if (type.Namespaced && bodyNs is not null && bodyNs != ns)
        {
            throw StatusErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    public static JsonObject PrepareBody(WriteRequest request, string name)
    {
        var body = (JsonObject?)request.Body?.DeepClone() ?? throw StatusErrors.BadRequest("the request body is empty");
        body["apiVersion"] ??= request.Type.ApiVersion;
        body["kind"] ??= request.Type.Kind;
        var meta = ManagedFields.Meta(body);
        var bodyName = (string?)meta["name"];
        if (request.Name is not null && bodyName is not null && bodyName != request.Name)
        {
            throw StatusErrors.BadRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + request.Name + ")");
        }

        meta["name"] = name;
        if (request.Type.Namespaced)
        {
            var bodyNs = (string?)meta["namespace"];
            if (bodyNs is not null && bodyNs.Length > 0 && bodyNs != request.Namespace)
            {
                throw StatusErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            meta["namespace"] = request.Namespace;
        }
        else
        {
            meta.Remove("namespace");
        }

        if (request.Kind == WriteKind.Create)
        {
            meta.Remove("resourceVersion");
            meta.Remove("uid");
            meta.Remove("creationTimestamp");
            meta.Remove("deletionTimestamp");
            meta.Remove("generation");
            if (request.Type.HasStatus)
            {
                body.Remove("status");
            }
        }

        return body;
    }

    /// <summary>Main-resource writes keep the live status; status writes keep everything but the status.</summary>
    public static JsonObject ApplySubresource(ResourceType type, string? subresource, JsonObject live, JsonObject updated)
    {
        if (subresource == "status")
        {
            var result = (JsonObject)live.DeepClone();
            if (updated["status"] is JsonNode status)
            {
                result["status"] = status.DeepClone();
            }
            else
            {
                result.Remove("status");
            }

            if (updated["metadata"]?["managedFields"] is JsonNode mf)
            {
                ManagedFields.Meta(result)["managedFields"] = mf.DeepClone();
            }

            return result;
        }

        if (type.HasStatus && subresource is null)
        {
            if (live["status"] is JsonNode liveStatus)
            {
                updated["status"] = liveStatus.DeepClone();
            }
            else
            {
                updated.Remove("status");
            }
        }

        return updated;
    }

    private static readonly string[] ServerMetadata = ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"];

    public static void KeepServerMetadata(JsonObject live, JsonObject updated)
    {
        var liveMeta = live["metadata"] as JsonObject;
        var meta = ManagedFields.Meta(updated);
        foreach (var field in ServerMetadata)
        {
            if (liveMeta?[field] is JsonNode v)
            {
                meta[field] = v.DeepClone();
            }
            else
            {
                meta.Remove(field);
            }
        }

        meta["name"] = liveMeta?["name"]?.DeepClone();
        if (liveMeta?["namespace"] is JsonNode ns)
        {
            meta["namespace"] = ns.DeepClone();
        }
    }

    public static bool SpecChanged(JsonObject live, JsonObject updated)
    {
        foreach (var (key, value) in updated)
        {
            if (key is "metadata" or "status" or "apiVersion" or "kind")
            {
                continue;
            }

            if (!JsonNode.DeepEquals(live[key], value))
            {
                return true;
            }
        }

        return live.Any(kv => kv.Key is not ("metadata" or "status" or "apiVersion" or "kind") && !updated.ContainsKey(kv.Key));
    }
}
