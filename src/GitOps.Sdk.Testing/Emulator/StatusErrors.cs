using System.Globalization;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>A field error of a 422 Invalid response.</summary>
internal sealed record FieldError(string Reason, string Field, string Message);

/// <summary>An API error carried to the HTTP layer; <see cref="Body"/> is the <c>Status</c> object sent.</summary>
internal sealed class ApiException(int code, JsonObject body) : Exception((string?)body["message"])
{
    public int Code { get; } = code;

    public JsonObject Body { get; } = body;

    public string? RetryAfter { get; init; }

    /// <summary>Gets a value indicating whether the answer is the plain-text <c>404 page not found</c> of the server's fallback handler.</summary>
    public bool PageNotFound { get; init; }
}

/// <summary>Builds <c>Status</c> bodies exactly as the API server does.</summary>
internal static class StatusErrors
{
    public static string Qualified(ResourceType type) => type.Group.Length == 0 ? type.Plural : type.Plural + "." + type.Group;

    public static JsonObject Status(int code, string reason, string message, JsonObject? details)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return status;
    }

    public static JsonObject Success() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
    };

    private static JsonObject Details(string name, string group, string kind)
    {
        var d = new JsonObject { ["name"] = name };
        if (group.Length > 0)
        {
            d["group"] = group;
        }

        d["kind"] = kind;
        return d;
    }

    public static ApiException NotFound(ResourceType type, string name) =>
        new(404, Status(404, "NotFound", $"{Qualified(type)} \"{name}\" not found", Details(name, type.Group, type.Plural)));

    public static ApiException NotFound(string group, string plural, string name) =>
        new(404, Status(404, "NotFound", $"{(group.Length == 0 ? plural : plural + "." + group)} \"{name}\" not found", Details(name, group, plural)));

    public static ApiException NamespaceNotFound(string ns) => NotFound(string.Empty, "namespaces", ns);

    public static ApiException AlreadyExists(ResourceType type, string name) =>
        new(409, Status(409, "AlreadyExists", $"{Qualified(type)} \"{name}\" already exists", Details(name, type.Group, type.Plural)));

    public static ApiException Conflict(ResourceType type, string name) =>
        new(409, Status(409, "Conflict",
            $"Operation cannot be fulfilled on {Qualified(type)} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            Details(name, type.Group, type.Plural)));

    public static ApiException ConflictMessage(ResourceType type, string name, string message) =>
        new(409, Status(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(type)} \"{name}\": {message}", Details(name, type.Group, type.Plural)));

    public static ApiException BadRequest(string message) => new(400, Status(400, "BadRequest", message, null));

    public static ApiException MethodNotAllowed(string message) => new(405, Status(405, "MethodNotAllowed", message, null));

    public static ApiException UnsupportedMediaType(string contentType) =>
        new(415, Status(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml", null));

    public static ApiException Gone(string message) => new(410, Status(410, "Expired", message, null));

    public static ApiException Forbidden(ResourceType type, string name, string message) =>
        new(403, Status(403, "Forbidden", $"{Qualified(type)} \"{name}\" is forbidden: {message}", Details(name, type.Group, type.Plural)));

    public static ApiException Invalid(ResourceType type, string name, IReadOnlyList<FieldError> errors)
    {
        var parts = errors.Select(e => $"{e.Field}: {e.Message}").ToList();
        var summary = parts.Count == 1 ? parts[0] : "[" + string.Join(", ", parts) + "]";
        var causes = new JsonArray();
        foreach (var e in errors)
        {
            causes.Add(new JsonObject { ["reason"] = e.Reason, ["message"] = e.Message, ["field"] = e.Field });
        }

        var details = Details(name, type.Group, type.Kind);
        details["causes"] = causes;
        var qualifiedKind = type.Group.Length == 0 ? type.Kind : type.Kind + "." + type.Group;
        return new ApiException(422, Status(422, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {summary}", details));
    }

    public static ApiException ApplyConflict(IReadOnlyList<FieldConflict> conflicts)
    {
        var flat = conflicts.SelectMany(c => c.Fields.Select(f => (c, f))).ToList();
        string Print(FieldConflict c)
        {
            var s = "\"" + c.Manager + "\"";
            return c.Operation == "Update" ? $"{s} using {ApiVersionOf(c)}{(c.Time is null ? string.Empty : " at " + c.Time)}" : s;
        }

        string message;
        if (flat.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with {Print(flat[0].c)}: {flat[0].f}";
        }
        else
        {
            var lines = new List<string>();
            foreach (var group in flat.GroupBy(x => Print(x.c)).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                lines.Add($"conflicts with {group.Key}:");
                lines.AddRange(group.Select(x => "- " + x.f));
            }

            message = $"Apply failed with {flat.Count} conflicts: {string.Join("\n", lines)}";
        }

        var causes = new JsonArray();
        foreach (var (c, f) in flat)
        {
            causes.Add(new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = "conflict with " + Print(c), ["field"] = f });
        }

        return new ApiException(409, Status(409, "Conflict", message, new JsonObject { ["causes"] = causes }));
    }

    private static string ApiVersionOf(FieldConflict c) => c.ApiVersion ?? "v1";

    /// <summary>The answer of a fault rule.</summary>
    public static ApiException Injected(FaultRule fault)
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

    /// <summary>A path the server does not serve: a 404 <c>Status</c>.</summary>
    public static ApiException NotFoundPath() =>
        new(404, StatusErrors.Status(404, "NotFound", "the server could not find the requested resource", new JsonObject()));

    /// <summary>A group version nobody serves (yet): the request falls through to the server's plain-text 404 handler.</summary>
    public static ApiException PageNotFound() => new(404, StatusErrors.Status(404, "NotFound", "404 page not found", null)) { PageNotFound = true };
}
