using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Sdk.Testing.Emulator.Protobuf;
using Microsoft.AspNetCore.Http;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>Parsed Kubernetes request path: <c>/api/v1/namespaces/ns/configmaps/name/status</c>.</summary>
internal sealed record RequestPath(string Group, string Version, string? Namespace, string Resource, string? Name, string? Subresource);

/// <summary>The HTTP face of the emulator: routing, content negotiation, watch streaming and fault injection.</summary>
internal sealed class ApiHandler
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly EmulatorCore _core;
    private readonly FaultInjector _faults;
    private readonly KubeApiEmulatorOptions _options;
    private readonly CancellationToken _stopping;

    public ApiHandler(EmulatorCore core, FaultInjector faults, KubeApiEmulatorOptions options, CancellationToken stopping)
    {
        _core = core;
        _faults = faults;
        _options = options;
        _stopping = stopping;
    }

    private TimeProvider Time => _options.TimeProvider;

    public async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-cache, private";
        response.Headers["Audit-Id"] = Guid.NewGuid().ToString();
        try
        {
            await RouteAsync(context).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            if (!response.HasStarted)
            {
                if (e.RetryAfter is not null)
                {
                    response.Headers.RetryAfter = e.RetryAfter;
                }

                if (e.PageNotFound)
                {
                    await WritePageNotFoundAsync(context).ConfigureAwait(false);
                    return;
                }

                await WriteJsonAsync(context, e.Code, e.Body).ConfigureAwait(false);
            }
        }
        catch (JsonException e)
        {
            if (!response.HasStarted)
            {
                await WriteJsonAsync(context, 400, StatusErrors.Status(400, "BadRequest", "the object provided is unrecognized: " + e.Message, null)).ConfigureAwait(false);
            }
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            if (!response.HasStarted)
            {
                await WriteJsonAsync(context, 400, StatusErrors.Status(400, "BadRequest", "error decoding YAML: " + e.Message, null)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Client went away or the emulator stops.
        }
#pragma warning disable CA1031 // A bug in the emulator becomes a 500 Status the client can show, like the real server's.
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (!response.HasStarted)
            {
                await WriteJsonAsync(context, 500, StatusErrors.Status(500, "InternalError", "Internal error occurred: " + e.GetType().Name + ": " + e.Message + " at " + e.StackTrace?.Split('\n').FirstOrDefault()?.Trim(), null)).ConfigureAwait(false);
            }
        }
    }

    private async Task RouteAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = request.Method;

        if (segments.Length == 0)
        {
            await WriteJsonAsync(context, 200, new JsonObject { ["paths"] = new JsonArray("/api", "/api/v1", "/apis", "/version", "/healthz", "/readyz", "/livez") }).ConfigureAwait(false);
            return;
        }

        switch (segments[0])
        {
            case "version" when segments.Length == 1:
                await WriteJsonAsync(context, 200, VersionInfo()).ConfigureAwait(false);
                return;
            case "healthz" or "readyz" or "livez":
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("ok", context.RequestAborted).ConfigureAwait(false);
                return;
            case "openapi" when segments.Length == 2 && segments[1] == "v3":
                await WriteJsonAsync(context, 200, OpenApi.Index(_core.Registry)).ConfigureAwait(false);
                return;
            case "openapi" when segments.Length > 2 && segments[1] == "v3":
                var doc = OpenApi.GroupVersion(_core.Registry, string.Join('/', segments[2..])) ?? throw NotFoundPath();
                await WriteJsonAsync(context, 200, doc).ConfigureAwait(false);
                return;
            case "api" when segments.Length == 1:
                await WriteJsonAsync(context, 200, _core.Registry.ApiVersions.DeepClone()).ConfigureAwait(false);
                return;
            case "apis" when segments.Length == 1:
                await WriteJsonAsync(context, 200, _core.Registry.ApiGroupList()).ConfigureAwait(false);
                return;
            case "apis" when segments.Length == 2:
                var group = _core.Registry.ApiGroup(segments[1]) ?? throw PageNotFound();

                await WriteJsonAsync(context, 200, group).ConfigureAwait(false);
                return;
        }

        RequestPath? parsed = segments[0] switch
        {
            "api" when segments.Length >= 2 => ParseRest(string.Empty, segments[1], segments[2..]),
            "apis" when segments.Length >= 3 => ParseRest(segments[1], segments[2], segments[3..]),
            _ => null,
        };

        if (parsed is null)
        {
            if ((segments[0] == "api" && segments.Length == 2) || (segments[0] == "apis" && segments.Length == 3))
            {
                var gv = segments[0] == "api" ? segments[1] : segments[1] + "/" + segments[2];
                var list = _core.Registry.ResourceList(gv) ?? throw (segments[0] == "apis" ? PageNotFound() : NotFoundPath());
                await WriteJsonAsync(context, 200, list).ConfigureAwait(false);
                return;
            }

            throw NotFoundPath();
        }

        var type = _core.Registry.Find(parsed.Group, parsed.Version, parsed.Resource)
            ?? throw (parsed.Group.Length > 0 && !_core.Registry.IsBuiltin(parsed.Group + "/" + parsed.Version) ? PageNotFound() : NotFoundPath());
        if (parsed.Subresource is not null && parsed.Subresource is not ("status" or "scale") )
        {
            throw NotFoundPath();
        }

        if (parsed.Subresource == "status" && !type.HasStatus)
        {
            throw NotFoundPath();
        }

        var query = request.Query;
        var watch = IsTrue(query["watch"]);
        var contentType = request.ContentType ?? string.Empty;
        var verb = method switch
        {
            "GET" when parsed.Name is not null => "get",
            "GET" when watch => "watch",
            "GET" => "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" when contentType.StartsWith("application/apply-patch", StringComparison.Ordinal) => "apply",
            "PATCH" => "patch",
            "DELETE" when parsed.Name is not null => "delete",
            "DELETE" => "deletecollection",
            _ => throw StatusErrors.MethodNotAllowed($"the server does not allow this method on the requested resource"),
        };

        var fault = _faults.Match(method, verb, parsed.Resource, parsed.Namespace, parsed.Name, path)
            ?? (verb == "apply" ? _faults.Match(method, "patch", parsed.Resource, parsed.Namespace, parsed.Name, path) : null);
        if (fault is not null)
        {
            if (fault.Delay is TimeSpan delay)
            {
                await Task.Delay(delay, Time, context.RequestAborted).ConfigureAwait(false);
            }

            if (fault.StatusCode != 0)
            {
                throw FaultError(fault);
            }
        }

        if (parsed.Namespace is null && type.Namespaced && verb is not ("list" or "watch" or "deletecollection"))
        {
            throw NotFoundPath();
        }

        var ns = type.Namespaced ? parsed.Namespace ?? string.Empty : string.Empty;
        switch (verb)
        {
            case "get":
                await GetAsync(context, type, ns, parsed).ConfigureAwait(false);
                return;
            case "list":
                await ListAsync(context, type, parsed.Namespace).ConfigureAwait(false);
                return;
            case "watch":
                await WatchAsync(context, type, parsed.Namespace, fault?.DropWatch == true).ConfigureAwait(false);
                return;
            case "delete":
                await DeleteAsync(context, type, ns, parsed.Name!).ConfigureAwait(false);
                return;
            case "deletecollection":
                await DeleteCollectionAsync(context, type, parsed.Namespace).ConfigureAwait(false);
                return;
        }

        await WriteAsync(context, type, ns, parsed, verb).ConfigureAwait(false);
    }

    private static ApiException FaultError(FaultRule fault)
    {
        var code = fault.StatusCode;
        var (reason, message) = code switch
        {
            429 => ("TooManyRequests", "Too many requests, please try again later."),
            409 => ("Conflict", "Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again"),
            500 => ("InternalError", "Internal error occurred: injected fault"),
            503 => ("ServiceUnavailable", "The server is currently unable to handle the request"),
            504 => ("Timeout", "The server was unable to return a response in the time allotted, but may still be processing the request"),
            404 => ("NotFound", "the server could not find the requested resource"),
            403 => ("Forbidden", "forbidden: injected fault"),
            401 => ("Unauthorized", "Unauthorized"),
            _ => ("InternalError", "injected fault"),
        };
        var details = fault.RetryAfter is TimeSpan ra ? new JsonObject { ["retryAfterSeconds"] = (int)Math.Ceiling(ra.TotalSeconds) } : null;
        return new ApiException(code, StatusErrors.Status(code, reason, fault.Message ?? message, details))
        {
            RetryAfter = fault.RetryAfter is TimeSpan r ? ((int)Math.Ceiling(r.TotalSeconds)).ToString(CultureInfo.InvariantCulture) : null,
        };
    }

    private static ApiException NotFoundPath() =>
        new(404, StatusErrors.Status(404, "NotFound", "the server could not find the requested resource", new JsonObject()));

    /// <summary>A group version nobody serves (yet): the request falls through to the server's plain-text 404 handler.</summary>
    private static ApiException PageNotFound() => new(404, StatusErrors.Status(404, "NotFound", "404 page not found", null)) { PageNotFound = true };

    private static async Task WritePageNotFoundAsync(HttpContext context)
    {
        var bytes = "404 page not found\n"u8.ToArray();
        context.Response.StatusCode = 404;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }

    private static RequestPath? ParseRest(string group, string version, string[] rest)
    {
        if (rest.Length == 0)
        {
            return null;
        }

        if (rest[0] == "namespaces" && rest.Length >= 3 && rest[2] is not ("status" or "finalize"))
        {
            return rest.Length > 5 ? null : new RequestPath(group, version, rest[1], rest[2], rest.ElementAtOrDefault(3), rest.ElementAtOrDefault(4));
        }

        return rest.Length > 3 ? null : new RequestPath(group, version, null, rest[0], rest.ElementAtOrDefault(1), rest.ElementAtOrDefault(2));
    }

    private static bool IsTrue(string? value) => value is "true" or "1" or "True";

    private static JsonObject VersionInfo() => new()
    {
        ["major"] = "1",
        ["minor"] = "24",
        ["gitVersion"] = "v1.24.17",
        ["gitCommit"] = "22a9682c8fe855c321be75c5faacde343f909b04",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2023-08-23T23:37:25Z",
        ["goVersion"] = "go1.20.7",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    private async Task GetAsync(HttpContext context, ResourceType type, string ns, RequestPath parsed)
    {
        var stored = _core.Store.Get(type.StorageKey, ns, parsed.Name!) ?? throw StatusErrors.NotFound(type, parsed.Name!);
        if (parsed.Subresource == "scale")
        {
            await WriteJsonAsync(context, 200, Scale(type, stored.Node)).ConfigureAwait(false);
            return;
        }

        if (WantsTable(context))
        {
            await WriteJsonAsync(context, 200, Tables.ForObjects(type, [stored], stored.ResourceVersion.ToString(CultureInfo.InvariantCulture), null, Time)).ConfigureAwait(false);
            return;
        }

        await WriteObjectAsync(context, 200, type, stored.Node).ConfigureAwait(false);
    }

    private static bool WantsTable(HttpContext context) =>
        context.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal);

    private static JsonObject Scale(ResourceType type, JsonObject obj)
    {
        var meta = obj["metadata"] as JsonObject;
        var selector = obj["spec"]?["selector"];
        string? selectorText = null;
        if (selector?["matchLabels"] is JsonObject ml)
        {
            selectorText = string.Join(",", ml.Select(kv => kv.Key + "=" + kv.Value));
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = meta?["name"]?.DeepClone(),
                ["namespace"] = meta?["namespace"]?.DeepClone(),
                ["uid"] = meta?["uid"]?.DeepClone(),
                ["resourceVersion"] = meta?["resourceVersion"]?.DeepClone(),
                ["creationTimestamp"] = meta?["creationTimestamp"]?.DeepClone(),
            },
            ["spec"] = new JsonObject { ["replicas"] = obj["spec"]?["replicas"]?.DeepClone() ?? 0 },
            ["status"] = new JsonObject
            {
                ["replicas"] = obj["status"]?["replicas"]?.DeepClone() ?? 0,
                ["selector"] = selectorText,
            },
        };
    }

    private (Func<StoredObject, bool> Filter, string? Name) Filters(HttpContext context)
    {
        var labels = LabelSelector.Parse(context.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(context.Request.Query["fieldSelector"]);
        Func<StoredObject, bool> filter = labels.IsEmpty && fields.IsEmpty
            ? _ => true
            : o => (labels.IsEmpty || labels.Matches(o.Labels)) && (fields.IsEmpty || fields.Matches(o.Node));
        return (filter, fields.ExactName);
    }

    private async Task ListAsync(HttpContext context, ResourceType type, string? ns)
    {
        var (filter, _) = Filters(context);
        var query = context.Request.Query;
        var limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : 0;
        string? startAfter = null;
        var token = (string?)query["continue"];
        if (!string.IsNullOrEmpty(token))
        {
            startAfter = DecodeContinue(token);
        }

        var (items, listRv, nextKey) = _core.Store.List(type.StorageKey, ns, filter, limit, startAfter);
        var rvText = listRv.ToString(CultureInfo.InvariantCulture);
        if (WantsTable(context))
        {
            await WriteJsonAsync(context, 200, Tables.ForObjects(type, items, rvText, nextKey is null ? null : EncodeContinue(nextKey, listRv), Time)).ConfigureAwait(false);
            return;
        }

        // Items are written from their stored bytes: no per-request re-serialization.
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonValues.Wire.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", type.ListKind);
            writer.WriteString("apiVersion", type.ApiVersion);
            writer.WriteStartObject("metadata");
            writer.WriteString("resourceVersion", rvText);
            if (nextKey is not null)
            {
                writer.WriteString("continue", EncodeContinue(nextKey, listRv));
            }

            writer.WriteEndObject();
            writer.WritePropertyName("items");
            writer.WriteStartArray();
            foreach (var item in items)
            {
                // Typed lists of built-in kinds carry no kind/apiVersion per item; custom resource lists do.
                writer.WriteRawValue(type.IsCustom ? item.Bytes : item.ItemBytes, skipInputValidation: true);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private static string EncodeContinue(string key, long rv) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = rv, ["start"] = key + "\u0000" }.ToJsonString()))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string DecodeContinue(string token)
    {
        try
        {
            var b64 = token.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=');
            var json = JsonNode.Parse(Convert.FromBase64String(b64))!;
            var start = (string)json["start"]!;
            return start.TrimEnd('\u0000');
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException or NullReferenceException)
        {
            throw StatusErrors.BadRequest("continue key is not valid: " + e.Message);
        }
    }

    private async Task WatchAsync(HttpContext context, ResourceType type, string? ns, bool drop)
    {
        var (filter, _) = Filters(context);
        var query = context.Request.Query;
        var rvText = (string?)query["resourceVersion"];
        long? fromRv = null;
        if (!string.IsNullOrEmpty(rvText) && rvText != "0")
        {
            if (!long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out var rv))
            {
                throw StatusErrors.BadRequest($"Invalid value: \"{rvText}\": resourceVersion must be a number");
            }

            fromRv = rv;
        }

        var bookmarks = IsTrue(query["allowWatchBookmarks"]);
        var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t > 0
            ? TimeSpan.FromSeconds(t)
            : TimeSpan.FromMinutes(30);

        var (watcher, initial, expired, currentRv) = _core.Store.OpenWatch(type.StorageKey, ns, filter, fromRv);
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        var body = response.Body;
        if (expired)
        {
            var oldest = _core.Store.OldestHistoryResourceVersion;
            var status = StatusErrors.Status(410, "Expired", $"too old resource version: {fromRv} ({oldest})", null);
            await WriteEventAsync(body, "ERROR", JsonSerializer.SerializeToUtf8Bytes(status, JsonValues.Wire), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        using var timeoutCts = new CancellationTokenSource(timeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutCts.Token, context.RequestAborted, _stopping);
        var token = linked.Token;
        try
        {
            foreach (var o in initial)
            {
                await WriteEventAsync(body, "ADDED", o.Bytes, token).ConfigureAwait(false);
            }

            await body.FlushAsync(token).ConfigureAwait(false);
            if (drop)
            {
                return;
            }

            var reader = watcher!.Channel.Reader;
            var lastRv = fromRv ?? currentRv;
            while (!token.IsCancellationRequested)
            {
                Task<bool> waitTask = reader.WaitToReadAsync(token).AsTask();
                if (bookmarks)
                {
                    using var bookmarkCts = CancellationTokenSource.CreateLinkedTokenSource(token);
                    var delay = Task.Delay(_options.BookmarkInterval, Time, bookmarkCts.Token);
                    var finished = await Task.WhenAny(waitTask, delay).ConfigureAwait(false);
                    if (finished == delay)
                    {
                        var rvNow = Math.Max(lastRv, _core.Store.ResourceVersion);
                        await WriteEventAsync(body, "BOOKMARK", Bookmark(type, rvNow), token).ConfigureAwait(false);
                        await body.FlushAsync(token).ConfigureAwait(false);
                        continue;
                    }

                    await bookmarkCts.CancelAsync().ConfigureAwait(false);
                }

                if (!await waitTask.ConfigureAwait(false))
                {
                    return;
                }

                while (reader.TryRead(out var e))
                {
                    lastRv = e.Object.ResourceVersion;
                    await WriteEventAsync(body, e.Type, e.Object.Bytes, token).ConfigureAwait(false);
                }

                await body.FlushAsync(token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Timeout, client gone, or the emulator stops: the stream simply ends.
        }
        finally
        {
            if (watcher is not null)
            {
                _core.Store.CloseWatch(watcher);
            }
        }
    }

    private static byte[] Bookmark(ResourceType type, long rv) =>
        JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["kind"] = type.Kind,
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture), ["creationTimestamp"] = null },
        }, JsonValues.Wire);

    private static async Task WriteEventAsync(Stream body, string type, byte[] objectJson, CancellationToken cancellationToken)
    {
        var prefix = Encoding.UTF8.GetBytes("{\"type\":\"" + type + "\",\"object\":");
        await body.WriteAsync(prefix, cancellationToken).ConfigureAwait(false);
        await body.WriteAsync(objectJson, cancellationToken).ConfigureAwait(false);
        await body.WriteAsync("}\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonObject?> ReadDeleteOptionsAsync(HttpContext context)
    {
        if (context.Request.ContentLength is null or 0 && !context.Request.Headers.ContainsKey("Transfer-Encoding"))
        {
            return null;
        }

        if (KubeProtobuf.IsProtobuf((context.Request.ContentType ?? string.Empty).Split(';')[0].Trim()))
        {
            return KubeProtobuf.DecodeDeleteOptions(await ReadBytesAsync(context).ConfigureAwait(false));
        }

        var text = await ReadBodyAsync(context).ConfigureAwait(false);
        return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text) as JsonObject;
    }

    private async Task DeleteAsync(HttpContext context, ResourceType type, string ns, string name)
    {
        var options = await ReadDeleteOptionsAsync(context).ConfigureAwait(false);
        var query = context.Request.Query;
        var propagation = (string?)options?["propagationPolicy"] ?? (string?)query["propagationPolicy"];
        if (propagation is null && JsonValues.Bool(options?["orphanDependents"]))
        {
            propagation = "Orphan";
        }

        var dryRun = IsDryRun(query["dryRun"]) || (options?["dryRun"] as JsonArray)?.Any(d => (string?)d == "All") == true;
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

            await WriteJsonAsync(context, 200, status).ConfigureAwait(false);
            return;
        }

        // A pending deletion answers 200 with the object; 202 only for the legacy orphanDependents=false (as the real server does).
        var legacyCascade = options?["orphanDependents"] is JsonValue orphan && orphan.TryGetValue<bool>(out var o) && !o;
        await WriteObjectAsync(context, deleted || !legacyCascade ? 200 : 202, type, obj).ConfigureAwait(false);
    }

    private async Task DeleteCollectionAsync(HttpContext context, ResourceType type, string? ns)
    {
        var (filter, _) = Filters(context);
        var options = await ReadDeleteOptionsAsync(context).ConfigureAwait(false);
        var propagation = (string?)options?["propagationPolicy"] ?? (string?)context.Request.Query["propagationPolicy"];
        var dryRun = IsDryRun(context.Request.Query["dryRun"]);
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

        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["kind"] = type.ListKind,
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture) },
            ["items"] = deleted,
        }).ConfigureAwait(false);
    }

    private static bool IsDryRun(string? value) => value == "All";

    private static async Task<byte[]> ReadBytesAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
    }

    private async Task WriteAsync(HttpContext context, ResourceType type, string ns, RequestPath parsed, string verb)
    {
        var query = context.Request.Query;
        var dryRun = IsDryRun(query["dryRun"]);
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
            protobufBody = KubeProtobuf.Decode(await ReadBytesAsync(context).ConfigureAwait(false), type);
        }
        else if (contentType.Contains("protobuf", StringComparison.Ordinal) || contentType.Contains("cbor", StringComparison.Ordinal))
        {
            throw StatusErrors.UnsupportedMediaType(contentType);
        }

        var text = protobufBody is null ? await ReadBodyAsync(context).ConfigureAwait(false) : string.Empty;

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
                    Force = IsTrue(query["force"]),
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
        await WriteObjectAsync(context, created ? 201 : 200, type, obj).ConfigureAwait(false);
    }

    private async Task WriteScaleAsync(HttpContext context, ResourceType type, string ns, RequestPath parsed, string verb, string text, string contentType, string manager, bool dryRun)
    {
        var live = _core.Store.Get(type.StorageKey, ns, parsed.Name!) ?? throw StatusErrors.NotFound(type, parsed.Name!);
        var scale = Scale(type, live.Node);
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
        await WriteJsonAsync(context, 200, Scale(type, obj)).ConfigureAwait(false);
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

    private static async Task WriteObjectAsync(HttpContext context, int code, ResourceType type, JsonObject obj) =>
        await WriteJsonAsync(context, code, obj).ConfigureAwait(false);

    private static async Task WriteJsonAsync(HttpContext context, int code, JsonNode body)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, JsonValues.Wire);
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
    }
}
