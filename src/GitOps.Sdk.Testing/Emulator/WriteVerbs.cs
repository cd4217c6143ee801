using System.Text.Json.Nodes;
using GitOps.Sdk.Testing.Emulator.Protobuf;
using Microsoft.AspNetCore.Http;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>The write verbs: create, update, patch (merge, strategic merge, JSON patch), server-side apply, and the scale subresource; bodies in JSON, YAML or protobuf.</summary>
internal sealed class WriteVerbs
{
    private readonly EmulatorCore _core;

    public WriteVerbs(EmulatorCore core) => _core = core;

    public async Task WriteAsync(HttpContext context, ResourceType type, string ns, RequestPath parsed, string verb)
    {
        var query = context.Request.Query;
        var dryRun = ApiHttp.IsDryRun(query["dryRun"]);
        var manager = (string?)query["fieldManager"];
        if (string.IsNullOrEmpty(manager))
        {
            manager = DefaultManager(context.Request.Headers.UserAgent.ToString());
        }

        var contentType = (context.Request.ContentType ?? "application/json").Split(';')[0].Trim();
        JsonObject? protobufBody = null;
        if (KubeProtobuf.IsProtobuf(contentType) && verb is "create" or "update" && parsed.Subresource is null or "status")
        {
            // kubectl create and client-go's typed clients send built-in kinds as protobuf (Emulator/Protobuf).
            protobufBody = KubeProtobuf.Decode(await ApiHttp.ReadBytesAsync(context).ConfigureAwait(false), type);
        }
        else if (contentType.Contains("protobuf", StringComparison.Ordinal) || contentType.Contains("cbor", StringComparison.Ordinal))
        {
            throw StatusErrors.UnsupportedMediaType(contentType);
        }

        var text = protobufBody is null ? await ApiHttp.ReadBodyAsync(context).ConfigureAwait(false) : string.Empty;

        if (parsed.Subresource == "scale")
        {
            await WriteScaleAsync(context, type, ns, parsed, verb, text, contentType, manager, dryRun).ConfigureAwait(false);
            return;
        }

        WriteRequest request;
        switch (verb)
        {
            case "create":
                if (parsed.Name is not null)
                {
                    throw StatusErrors.MethodNotAllowed("the server does not allow this method on the requested resource");
                }

                request = new WriteRequest
                {
                    Type = type,
                    Kind = WriteKind.Create,
                    Namespace = ns,
                    Body = protobufBody ?? ParseObject(text, contentType),
                    Manager = manager,
                    DryRun = dryRun,
                };
                break;
            case "update":
                request = new WriteRequest
                {
                    Type = type,
                    Kind = WriteKind.Update,
                    Namespace = ns,
                    Name = parsed.Name,
                    Subresource = parsed.Subresource,
                    Body = protobufBody ?? ParseObject(text, contentType),
                    Manager = manager,
                    DryRun = dryRun,
                };
                break;
            case "apply":
                if (string.IsNullOrEmpty((string?)query["fieldManager"]))
                {
                    throw StatusErrors.BadRequest("PATCH /" + type.Plural + ": fieldManager is required for apply requests");
                }

                var config = YamlJson.Parse(text) as JsonObject ?? throw StatusErrors.BadRequest("error decoding YAML: the apply configuration is empty");
                request = new WriteRequest
                {
                    Type = type,
                    Kind = WriteKind.Apply,
                    Namespace = ns,
                    Name = parsed.Name,
                    Subresource = parsed.Subresource,
                    Body = config,
                    Manager = manager,
                    Force = ApiHttp.IsTrue(query["force"]),
                    DryRun = dryRun,
                };
                break;
            default:
                var patch = JsonNode.Parse(text);
                Func<JsonObject, SchemaNode, JsonObject> apply = contentType switch
                {
                    "application/merge-patch+json" => (live, _) => Patches.MergePatch(live, patch) as JsonObject ?? throw StatusErrors.BadRequest("invalid patch"),
                    "application/strategic-merge-patch+json" when !type.IsCustom => (live, schema) => Patches.StrategicMerge(live, patch, schema) as JsonObject ?? throw StatusErrors.BadRequest("invalid patch"),
                    "application/json-patch+json" => (live, _) => Patches.JsonPatch(live, patch as JsonArray ?? throw StatusErrors.BadRequest("json patch must be an array")) as JsonObject
                        ?? throw StatusErrors.BadRequest("invalid patch"),
                    _ => throw StatusErrors.UnsupportedMediaType(contentType),
                };
                request = new WriteRequest
                {
                    Type = type,
                    Kind = WriteKind.Patch,
                    Namespace = ns,
                    Name = parsed.Name,
                    Subresource = parsed.Subresource,
                    Patch = apply,
                    Manager = manager,
                    DryRun = dryRun,
                };
                break;
        }

        var (obj, created) = _core.Write(request);
        await ApiHttp.WriteJsonAsync(context, created ? 201 : 200, obj).ConfigureAwait(false);
    }

    private async Task WriteScaleAsync(HttpContext context, ResourceType type, string ns, RequestPath parsed, string verb, string text, string contentType, string manager, bool dryRun)
    {
        var live = _core.Store.Get(type.StorageKey, ns, parsed.Name!) ?? throw StatusErrors.NotFound(type, parsed.Name!);
        var scale = ScaleView.From(type, live.Node);
        JsonObject? updated = verb switch
        {
            "update" => JsonNode.Parse(text) as JsonObject,
            "patch" when contentType == "application/json-patch+json" => Patches.JsonPatch(scale, (JsonArray)JsonNode.Parse(text)!) as JsonObject,
            "patch" => Patches.MergePatch(scale, JsonNode.Parse(text)) as JsonObject,
            "apply" => Patches.MergePatch(scale, YamlJson.Parse(text)) as JsonObject,
            _ => null,
        };
        var replicas = updated?["spec"]?["replicas"]?.DeepClone() ?? throw StatusErrors.BadRequest("spec.replicas is required");
        var (obj, _) = _core.Write(new WriteRequest
        {
            Type = type,
            Kind = WriteKind.Patch,
            Namespace = ns,
            Name = parsed.Name,
            Subresource = "scale",
            Patch = (o, _) =>
            {
                Defaults.Obj(o, "spec")["replicas"] = replicas;
                return o;
            },
            Manager = manager,
            DryRun = dryRun,
        });
        await ApiHttp.WriteJsonAsync(context, 200, ScaleView.From(type, obj)).ConfigureAwait(false);
    }

    private static JsonObject ParseObject(string text, string contentType)
    {
        var node = contentType.Contains("yaml", StringComparison.Ordinal) ? YamlJson.Parse(text) : JsonNode.Parse(text);
        return node as JsonObject ?? throw StatusErrors.BadRequest("the body of the request is not an object");
    }

    /// <summary>The manager name the API server derives from the User-Agent when no fieldManager is given.</summary>
    public static string DefaultManager(string userAgent)
    {
        if (string.IsNullOrEmpty(userAgent))
        {
            return "unknown";
        }

        var slash = userAgent.IndexOf('/', StringComparison.Ordinal);
        var name = slash > 0 ? userAgent[..slash] : userAgent;
        return name.Length > 128 ? name[..128] : name;
    }
}
