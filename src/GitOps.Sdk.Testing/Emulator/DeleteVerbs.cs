using System.Globalization;
using System.Text.Json.Nodes;
using GitOps.Sdk.Testing.Emulator.Protobuf;
using Microsoft.AspNetCore.Http;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>The delete verbs: one object (DeleteOptions in JSON or protobuf, preconditions, propagation, dry run) and a collection by selector.</summary>
internal sealed class DeleteVerbs
{
    private readonly EmulatorCore _core;

    public DeleteVerbs(EmulatorCore core) => _core = core;

    public async Task DeleteAsync(HttpContext context, ResourceType type, string ns, string name)
    {
        var options = await ReadDeleteOptionsAsync(context).ConfigureAwait(false);
        var query = context.Request.Query;
        var propagation = (string?)options?["propagationPolicy"] ?? (string?)query["propagationPolicy"];
        if (propagation is null && JsonValues.Bool(options?["orphanDependents"]))
        {
            propagation = "Orphan";
        }

        var dryRun = ApiHttp.IsDryRun(query["dryRun"]) || (options?["dryRun"] as JsonArray)?.Any(d => (string?)d == "All") == true;
        var (obj, deleted) = _core.Delete(type, ns, name, propagation,
            (string?)options?["preconditions"]?["uid"], (string?)options?["preconditions"]?["resourceVersion"], dryRun);
        if (deleted && !(type.Group.Length == 0 && type.Kind is "Namespace" or "Pod" or "Service"))
        {
            var status = StatusErrors.Success();
            status["details"] = new JsonObject
            {
                ["name"] = name,
                ["group"] = type.Group.Length > 0 ? type.Group : null,
                ["kind"] = type.Plural,
                ["uid"] = obj["metadata"]?["uid"]?.DeepClone(),
            };
            if (type.Group.Length == 0)
            {
                ((JsonObject)status["details"]!).Remove("group");
            }

            await ApiHttp.WriteJsonAsync(context, 200, status).ConfigureAwait(false);
            return;
        }

        // A pending deletion answers 200 with the object; 202 only for the legacy orphanDependents=false (as the real server does).
        var legacyCascade = options?["orphanDependents"] is JsonValue orphan && orphan.TryGetValue<bool>(out var o) && !o;
        await ApiHttp.WriteJsonAsync(context, deleted || !legacyCascade ? 200 : 202, obj).ConfigureAwait(false);
    }

    public async Task DeleteCollectionAsync(HttpContext context, ResourceType type, string? ns)
    {
        var (filter, _) = ApiHttp.Filters(context);
        var options = await ReadDeleteOptionsAsync(context).ConfigureAwait(false);
        var propagation = (string?)options?["propagationPolicy"] ?? (string?)context.Request.Query["propagationPolicy"];
        var dryRun = ApiHttp.IsDryRun(context.Request.Query["dryRun"]);
        var (items, rv, _) = _core.Store.List(type.StorageKey, ns, filter, 0, null);
        var deleted = new JsonArray();
        foreach (var item in items)
        {
            try
            {
                var (obj, _) = _core.Delete(type, item.Namespace, item.Name, propagation, null, null, dryRun);
                deleted.Add(obj);
            }
            catch (ApiException e) when (e.Code == 404)
            {
                // Deleted concurrently.
            }
        }

        await ApiHttp.WriteJsonAsync(context, 200, new JsonObject
        {
            ["kind"] = type.ListKind,
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) },
            ["items"] = deleted,
        }).ConfigureAwait(false);
    }

    private static async Task<JsonObject?> ReadDeleteOptionsAsync(HttpContext context)
    {
        if (context.Request.ContentLength is null or 0 && !context.Request.Headers.ContainsKey("Transfer-Encoding"))
        {
            return null;
        }

        if (KubeProtobuf.IsProtobuf((context.Request.ContentType ?? string.Empty).Split(';')[0].Trim()))
        {
            return KubeProtobuf.DecodeDeleteOptions(await ApiHttp.ReadBytesAsync(context).ConfigureAwait(false));
        }

        var text = await ApiHttp.ReadBodyAsync(context).ConfigureAwait(false);
        return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text) as JsonObject;
    }
}
