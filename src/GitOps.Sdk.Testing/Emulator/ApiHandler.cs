using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Sdk.Testing.Emulator.Protobuf;
using Microsoft.AspNetCore.Http;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>Parsed Kubernetes request path: <c>/api/v1/namespaces/ns/configmaps/name/status</c>.</summary>
internal sealed record RequestPath(string Group, string Version, string? Namespace, string Resource, string? Name, string? Subresource);

/// <summary>The HTTP face of the emulator: routing a request to its verb (<see cref="ReadVerbs"/>, <see cref="WatchVerb"/>, <see cref="WriteVerbs"/>, <see cref="DeleteVerbs"/>), discovery documents, and fault injection.</summary>
internal sealed class ApiHandler
{
    private readonly EmulatorCore _core;
    private readonly FaultInjector _faults;
    private readonly KubeApiEmulatorOptions _options;
    private readonly ReadVerbs _reads;
    private readonly WatchVerb _watch;
    private readonly DeleteVerbs _deletes;
    private readonly WriteVerbs _writes;

    public ApiHandler(EmulatorCore core, FaultInjector faults, KubeApiEmulatorOptions options, CancellationToken stopping)
    {
        _core = core;
        _faults = faults;
        _options = options;
        _reads = new ReadVerbs(core, options.TimeProvider);
        _watch = new WatchVerb(core, options, stopping);
        _deletes = new DeleteVerbs(core);
        _writes = new WriteVerbs(core);
    }

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
                    await ApiHttp.WritePageNotFoundAsync(context).ConfigureAwait(false);
                    return;
                }

                await ApiHttp.WriteJsonAsync(context, e.Code, e.Body).ConfigureAwait(false);
            }
        }
        catch (JsonException e)
        {
            if (!response.HasStarted)
            {
                await ApiHttp.WriteJsonAsync(context, 400, StatusErrors.Status(400, "BadRequest", "the object provided is unrecognized: " + e.Message, null)).ConfigureAwait(false);
            }
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            if (!response.HasStarted)
            {
                await ApiHttp.WriteJsonAsync(context, 400, StatusErrors.Status(400, "BadRequest", "error decoding YAML: " + e.Message, null)).ConfigureAwait(false);
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
                await ApiHttp.WriteJsonAsync(context, 500, StatusErrors.Status(500, "InternalError", "Internal error occurred: " + e.GetType().Name + ": " + e.Message + " at " + e.StackTrace?.Split('\n').FirstOrDefault()?.Trim(), null)).ConfigureAwait(false);
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
            await ApiHttp.WriteJsonAsync(context, 200, new JsonObject { ["paths"] = new JsonArray("/api", "/api/v1", "/apis", "/version", "/healthz", "/readyz", "/livez") }).ConfigureAwait(false);
            return;
        }

        switch (segments[0])
        {
            case "version" when segments.Length == 1:
                await ApiHttp.WriteJsonAsync(context, 200, VersionInfo()).ConfigureAwait(false);
                return;
            case "healthz" or "readyz" or "livez":
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("ok", context.RequestAborted).ConfigureAwait(false);
                return;
            case "openapi" when segments.Length == 2 && segments[1] == "v3":
                await ApiHttp.WriteJsonAsync(context, 200, OpenApi.Index(_core.Registry)).ConfigureAwait(false);
                return;
            case "openapi" when segments.Length > 2 && segments[1] == "v3":
                var doc = OpenApi.GroupVersion(_core.Registry, string.Join('/', segments[2..])) ?? throw StatusErrors.NotFoundPath();
                await ApiHttp.WriteJsonAsync(context, 200, doc).ConfigureAwait(false);
                return;
            case "api" when segments.Length == 1:
                await ApiHttp.WriteJsonAsync(context, 200, _core.Registry.ApiVersions.DeepClone()).ConfigureAwait(false);
                return;
            case "apis" when segments.Length == 1:
                await ApiHttp.WriteJsonAsync(context, 200, _core.Registry.ApiGroupList()).ConfigureAwait(false);
                return;
            case "apis" when segments.Length == 2:
                var group = _core.Registry.ApiGroup(segments[1]) ?? throw StatusErrors.PageNotFound();

                await ApiHttp.WriteJsonAsync(context, 200, group).ConfigureAwait(false);
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
                var list = _core.Registry.ResourceList(gv) ?? throw (segments[0] == "apis" ? StatusErrors.PageNotFound() : StatusErrors.NotFoundPath());
                await ApiHttp.WriteJsonAsync(context, 200, list).ConfigureAwait(false);
                return;
            }

            throw StatusErrors.NotFoundPath();
        }

        var type = _core.Registry.Find(parsed.Group, parsed.Version, parsed.Resource)
            ?? throw (parsed.Group.Length > 0 && !_core.Registry.IsBuiltin(parsed.Group + "/" + parsed.Version) ? StatusErrors.PageNotFound() : StatusErrors.NotFoundPath());
        if (parsed.Subresource is not null && parsed.Subresource is not ("status" or "scale") )
        {
            throw StatusErrors.NotFoundPath();
        }

        if (parsed.Subresource == "status" && !type.HasStatus)
        {
            throw StatusErrors.NotFoundPath();
        }

        var query = request.Query;
        var watch = ApiHttp.IsTrue(query["watch"]);
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
                await Task.Delay(delay, _options.TimeProvider, context.RequestAborted).ConfigureAwait(false);
            }

            if (fault.StatusCode != 0)
            {
                throw StatusErrors.Injected(fault);
            }
        }

        if (parsed.Namespace is null && type.Namespaced && verb is not ("list" or "watch" or "deletecollection"))
        {
            throw StatusErrors.NotFoundPath();
        }

        var ns = type.Namespaced ? parsed.Namespace ?? string.Empty : string.Empty;
        switch (verb)
        {
            case "get":
                await _reads.GetAsync(context, type, ns, parsed).ConfigureAwait(false);
                return;
            case "list":
                await _reads.ListAsync(context, type, parsed.Namespace).ConfigureAwait(false);
                return;
            case "watch":
                await _watch.WatchAsync(context, type, parsed.Namespace, fault?.DropWatch == true).ConfigureAwait(false);
                return;
            case "delete":
                await _deletes.DeleteAsync(context, type, ns, parsed.Name!).ConfigureAwait(false);
                return;
            case "deletecollection":
                await _deletes.DeleteCollectionAsync(context, type, parsed.Namespace).ConfigureAwait(false);
                return;
        }

        await _writes.WriteAsync(context, type, ns, parsed, verb).ConfigureAwait(false);
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
}
