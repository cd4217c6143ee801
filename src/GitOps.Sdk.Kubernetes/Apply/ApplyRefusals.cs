using System.Text.Json.Nodes;

namespace GitOps.Sdk.Kubernetes;

/// <summary>Reads what a refused apply says: the immutable fields, the ownership conflicts, the missing namespace; and edits the fields a repair replaces.</summary>
internal static class ApplyRefusals
{
    /// <summary>A real server answers a write into a missing namespace with 404 <c>namespaces "web" not found</c> (details.kind <c>namespaces</c>).</summary>
    public static bool IsNamespaceNotFound(KubeResponse response, string @namespace) =>
        response.Status?.Message is { } message
        && message.Contains($"namespaces \"{@namespace}\" not found", StringComparison.Ordinal);

    public static string DescribeConflict(KubeResponse response)
    {
        var status = response.Status;
        var fields = status?.Causes
            .Where(static c => c.Reason == "FieldManagerConflict")
            .Select(static c => c.Field is { Length: > 0 } f ? $"{f} ({c.Message})" : c.Message)
            .ToList() ?? [];
        var detail = fields.Count > 0 ? string.Join("; ", fields) : status?.Message ?? response.Describe();
        return $"field ownership conflict with another field manager: {detail}; apply with force to take ownership";
    }

    /// <summary>Names the immutable fields of a 422 answer (causes first, then the message), or an empty list.</summary>
    public static List<string> ImmutableFields(KubeStatus? status)
    {
        var fields = new List<string>();
        if (status is null)
        {
            return fields;
        }

        foreach (var cause in status.Causes)
        {
            if (cause.Message?.Contains("immutable", StringComparison.OrdinalIgnoreCase) == true)
            {
                fields.Add(cause.Field is { Length: > 0 } f ? f : "(unnamed field)");
            }
        }

        if (fields.Count == 0 && status.Message?.Contains("field is immutable", StringComparison.OrdinalIgnoreCase) == true)
        {
            // "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: ...: field is immutable"
            var message = status.Message;
            var invalid = message.IndexOf("is invalid: ", StringComparison.Ordinal);
            var start = invalid >= 0 ? invalid + "is invalid: ".Length : 0;
            var colon = message.IndexOf(':', start);
            fields.Add(colon > start ? message[start..colon] : "(unnamed field)");
        }

        return fields.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary><c>spec.ports[1].name</c> → <c>spec.ports</c>: a list element's problem is repaired by replacing the list.</summary>
    public static string ContainingField(string field)
    {
        var bracket = field.IndexOf('[', StringComparison.Ordinal);
        return bracket > 0 ? field[..bracket] : field;
    }

    /// <summary>Sets <paramref name="field"/> (dotted) in <paramref name="target"/> to its value in <paramref name="source"/>, or removes it when the source lacks it.</summary>
    public static void ReplaceField(JsonObject target, JsonObject source, string field)
    {
        var segments = field.Split('.');
        JsonObject? src = source;
        JsonObject dst = target;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            src = src?[segments[i]] as JsonObject;
            if (dst[segments[i]] is not JsonObject next)
            {
                if (src is null)
                {
                    return;
                }

                next = new JsonObject();
                dst[segments[i]] = next;
            }

            dst = next;
        }

        var last = segments[^1];
        if (src is not null && src.TryGetPropertyValue(last, out var value) && value is not null)
        {
            dst[last] = value.DeepClone();
        }
        else
        {
            dst.Remove(last);
        }
    }
}
