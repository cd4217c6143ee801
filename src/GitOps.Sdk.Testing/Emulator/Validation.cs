using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>The API server's validation for what the emulator serves: names, keys, ports and immutable fields (422 Invalid).</summary>
internal static partial class Validation
{
    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    private const string Dns1035Message =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    private const string ConfigKeyMessage =
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Label();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035();

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex ConfigKey();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedNamePart();

    public static void Validate(ResourceType type, JsonObject obj, JsonObject? live)
    {
        var errors = new List<FieldError>();
        var name = (string?)obj["metadata"]?["name"] ?? string.Empty;
        ValidateName(type, name, errors);
        ValidateMetadata(obj["metadata"] as JsonObject, errors);
        switch (type.Group + "/" + type.Kind)
        {
            case "/ConfigMap":
            case "/Secret":
                foreach (var field in new[] { "data", "binaryData", "stringData" })
                {
                    foreach (var (key, _) in obj[field] as JsonObject ?? [])
                    {
                        if (key.Length > 253 || !ConfigKey().IsMatch(key))
                        {
                            errors.Add(new FieldError("FieldValueInvalid", $"{field}[{key}]", $"Invalid value: \"{key}\": {ConfigKeyMessage}"));
                        }
                    }
                }

                if (live is not null && JsonValues.Bool(live["immutable"]))
                {
                    if (!JsonNode.DeepEquals(live["data"], obj["data"]) || !JsonNode.DeepEquals(live["binaryData"], obj["binaryData"]))
                    {
                        errors.Add(new FieldError("FieldForbidden", "data", "Forbidden: field is immutable when `immutable` is set"));
                    }
                }

                if (live is not null && type.Kind == "Secret" && (string?)live["type"] != (string?)obj["type"])
                {
                    errors.Add(new FieldError("FieldValueInvalid", "type", $"Invalid value: \"{(string?)obj["type"]}\": field is immutable"));
                }

                break;
            case "/Service":
                ValidateService(obj, live, errors);
                break;
            case "apps/Deployment":
            case "apps/ReplicaSet":
            case "apps/DaemonSet":
            case "apps/StatefulSet":
                ValidateSelector(obj, live, errors, type);
                ValidateContainers(obj["spec"]?["template"]?["spec"] as JsonObject, "spec.template.spec", errors);
                break;
            case "batch/Job":
                if (live is not null)
                {
                    if (!JsonNode.DeepEquals(live["spec"]?["selector"], obj["spec"]?["selector"]))
                    {
                        errors.Add(new FieldError("FieldValueInvalid", "spec.selector", $"Invalid value: {GoLabelSelector(obj["spec"]?["selector"] as JsonObject)}: field is immutable"));
                    }

                    if (!JsonNode.DeepEquals(live["spec"]?["template"], obj["spec"]?["template"]))
                    {
                        errors.Add(new FieldError("FieldValueInvalid", "spec.template", "Invalid value: core.PodTemplateSpec{...}: field is immutable"));
                    }

                    if (!JsonNode.DeepEquals(live["spec"]?["completions"], obj["spec"]?["completions"]))
                    {
                        errors.Add(new FieldError("FieldValueInvalid", "spec.completions", $"Invalid value: {obj["spec"]?["completions"]?.ToJsonString() ?? "null"}: field is immutable"));
                    }
                }

                ValidateContainers(obj["spec"]?["template"]?["spec"] as JsonObject, "spec.template.spec", errors);
                break;
            case "/PersistentVolumeClaim":
                if (live is not null)
                {
                    var liveSpec = live["spec"]?.DeepClone() as JsonObject ?? [];
                    var newSpec = obj["spec"]?.DeepClone() as JsonObject ?? [];
                    liveSpec.Remove("resources");
                    newSpec.Remove("resources");
                    liveSpec.Remove("volumeName");
                    newSpec.Remove("volumeName");
                    if (!JsonNode.DeepEquals(liveSpec, newSpec))
                    {
                        errors.Add(new FieldError("FieldForbidden", "spec", "Forbidden: spec is immutable after creation except resources.requests for bound claims"));
                    }
                }

                break;
            case "rbac.authorization.k8s.io/RoleBinding":
            case "rbac.authorization.k8s.io/ClusterRoleBinding":
                if (live is not null && !JsonNode.DeepEquals(live["roleRef"], obj["roleRef"]))
                {
                    errors.Add(new FieldError("FieldValueInvalid", "roleRef", "Invalid value: " + GoRoleRef(obj["roleRef"] as JsonObject) + ": cannot change roleRef"));
                }

                break;
            case "/Pod":
                ValidateContainers(obj["spec"] as JsonObject, "spec", errors);
                break;
        }

        TypeChecks.Validate(type, obj, errors);
        if (type.IsCustom)
        {
            ValidateCustom(type, obj, errors);
        }

        if (errors.Count > 0)
        {
            throw StatusErrors.Invalid(type, name, errors);
        }
    }

    private static void ValidateName(ResourceType type, string name, List<FieldError> errors)
    {
        if (name.Length == 0)
        {
            errors.Add(new FieldError("FieldValueRequired", "metadata.name", "Required value: name or generateName is required"));
            return;
        }

        switch (type.Kind)
        {
            case "Namespace":
                if (name.Length > 63 || !Label().IsMatch(name))
                {
                    errors.Add(new FieldError("FieldValueInvalid", "metadata.name", $"Invalid value: \"{name}\": {LabelMessage}"));
                }

                return;
            case "Service":
                if (name.Length > 63 || !Dns1035().IsMatch(name))
                {
                    errors.Add(new FieldError("FieldValueInvalid", "metadata.name", $"Invalid value: \"{name}\": {Dns1035Message}"));
                }

                return;
            case "Role" or "ClusterRole" or "RoleBinding" or "ClusterRoleBinding":
                if (name.Contains('/', StringComparison.Ordinal) || name.Contains('%', StringComparison.Ordinal) || name is "." or "..")
                {
                    errors.Add(new FieldError("FieldValueInvalid", "metadata.name", $"Invalid value: \"{name}\": may not contain '/'"));
                }

                return;
        }

        if (name.Length > 253 || !Subdomain().IsMatch(name))
        {
            errors.Add(new FieldError("FieldValueInvalid", "metadata.name", $"Invalid value: \"{name}\": {SubdomainMessage}"));
        }
    }

    private static void ValidateMetadata(JsonObject? meta, List<FieldError> errors)
    {
        foreach (var (key, value) in meta?["labels"] as JsonObject ?? [])
        {
            var keyError = QualifiedNameError(key);
            if (keyError is not null)
            {
                errors.Add(new FieldError("FieldValueInvalid", "metadata.labels", $"Invalid value: \"{key}\": {keyError}"));
            }

            var v = value is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : null;
            if (v is null)
            {
                continue;
            }

            if (v.Length > 63 || !LabelValue().IsMatch(v))
            {
                errors.Add(new FieldError("FieldValueInvalid", "metadata.labels", $"Invalid value: \"{v}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
            }
        }

        foreach (var (key, _) in meta?["annotations"] as JsonObject ?? [])
        {
            var keyError = QualifiedNameError(key);
            if (keyError is not null)
            {
                errors.Add(new FieldError("FieldValueInvalid", "metadata.annotations", $"Invalid value: \"{key}\": {keyError}"));
            }
        }
    }

    private static string? QualifiedNameError(string key)
    {
        var parts = key.Split('/');
        if (parts.Length > 2)
        {
            return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
        }

        var name = parts[^1];
        if (parts.Length == 2 && (parts[0].Length == 0 || parts[0].Length > 253 || !Subdomain().IsMatch(parts[0])))
        {
            return "prefix part " + SubdomainMessage;
        }

        if (name.Length == 0 || name.Length > 63 || !QualifiedNamePart().IsMatch(name))
        {
            return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
        }

        return null;
    }

    private static void ValidateService(JsonObject obj, JsonObject? live, List<FieldError> errors)
    {
        var spec = obj["spec"] as JsonObject;
        var ports = spec?["ports"] as JsonArray ?? [];
        var names = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i] is not JsonObject port)
            {
                continue;
            }

            var portName = (string?)port["name"] ?? string.Empty;
            if (ports.Count > 1 && portName.Length == 0)
            {
                errors.Add(new FieldError("FieldValueRequired", $"spec.ports[{i}].name", "Required value"));
            }
            else if (portName.Length > 0 && !names.Add(portName))
            {
                errors.Add(new FieldError("FieldValueDuplicate", $"spec.ports[{i}].name", $"Duplicate value: \"{portName}\""));
            }

            var key = port["port"]?.ToJsonString() + "/" + (string?)port["protocol"];
            if (!keys.Add(key))
            {
                errors.Add(new FieldError("FieldValueDuplicate", $"spec.ports[{i}]", $"Duplicate value: core.ServicePort{{Name:\"{portName}\", Protocol:\"{(string?)port["protocol"]}\", AppProtocol:(*string)(nil), Port:{port["port"]?.ToJsonString()}, TargetPort:intstr.IntOrString{{...}}, NodePort:{port["nodePort"]?.ToJsonString() ?? "0"}}}"));
            }
        }

        var liveIp = (string?)live?["spec"]?["clusterIP"];
        var newIp = (string?)spec?["clusterIP"];
        if (live is not null && !string.IsNullOrEmpty(liveIp) && newIp != liveIp && (string?)spec?["type"] != "ExternalName")
        {
            var ips = spec?["clusterIPs"] as JsonArray;
            var rendered = ips is null ? "[]string(nil)" : "[]string{" + string.Join(", ", ips.Select(ip => "\"" + (string?)ip + "\"")) + "}";
            errors.Add(new FieldError("FieldValueInvalid", "spec.clusterIPs[0]", $"Invalid value: {rendered}: may not change once set"));
        }
    }

    private static void ValidateSelector(JsonObject obj, JsonObject? live, List<FieldError> errors, ResourceType type)
    {
        var selector = obj["spec"]?["selector"] as JsonObject;
        if (selector is null || ((selector["matchLabels"] as JsonObject)?.Count ?? 0) + ((selector["matchExpressions"] as JsonArray)?.Count ?? 0) == 0)
        {
            errors.Add(new FieldError("FieldValueRequired", "spec.selector", "Required value"));
            if (selector is null)
            {
                return;
            }
        }

        if (live is not null && !JsonNode.DeepEquals(live["spec"]?["selector"], selector))
        {
            errors.Add(new FieldError("FieldValueInvalid", "spec.selector", $"Invalid value: {GoLabelSelector(selector)}: field is immutable"));
            return;
        }

        var templateLabels = obj["spec"]?["template"]?["metadata"]?["labels"] as JsonObject;
        var matches = (selector["matchLabels"] as JsonObject ?? []).All(kv =>
            templateLabels is not null && JsonNode.DeepEquals(templateLabels[kv.Key], kv.Value));
        if (!matches && type.Kind != "Job")
        {
            var rendered = templateLabels is null ? "map[string]string(nil)" : "map[string]string{" + string.Join(", ", templateLabels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"\"{kv.Key}\":\"{kv.Value}\"")) + "}";
            errors.Add(new FieldError("FieldValueInvalid", "spec.template.metadata.labels", $"Invalid value: {rendered}: `selector` does not match template `labels`"));
        }
    }

    private static void ValidateContainers(JsonObject? podSpec, string path, List<FieldError> errors)
    {
        if (podSpec is null)
        {
            return;
        }

        var containers = podSpec["containers"] as JsonArray;
        if (containers is null || containers.Count == 0)
        {
            errors.Add(new FieldError("FieldValueRequired", path + ".containers", "Required value"));
            return;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < containers.Count; i++)
        {
            var c = containers[i] as JsonObject;
            var name = (string?)c?["name"] ?? string.Empty;
            if (name.Length == 0)
            {
                errors.Add(new FieldError("FieldValueRequired", $"{path}.containers[{i}].name", "Required value"));
            }
            else if (!names.Add(name))
            {
                errors.Add(new FieldError("FieldValueDuplicate", $"{path}.containers[{i}].name", $"Duplicate value: \"{name}\""));
            }

            if (string.IsNullOrEmpty((string?)c?["image"]))
            {
                errors.Add(new FieldError("FieldValueRequired", $"{path}.containers[{i}].image", "Required value"));
            }
        }
    }

    private static void ValidateCustom(ResourceType type, JsonObject obj, List<FieldError> errors) =>
        ValidateAgainstSchema(obj, type.Schema, string.Empty, errors, true);

    private static void ValidateAgainstSchema(JsonNode? node, SchemaNode schema, string path, List<FieldError> errors, bool top)
    {
        if (node is JsonObject obj && schema.Kind == SchemaKind.Struct && schema.Fields is not null)
        {
            foreach (var (key, value) in obj)
            {
                if (top && key is "metadata" or "apiVersion" or "kind")
                {
                    continue;
                }

                if (schema.Fields.TryGetValue(key, out var field))
                {
                    ValidateAgainstSchema(value, field, path.Length == 0 ? key : path + "." + key, errors, false);
                }
            }
        }
    }

    /// <summary>Formats a label selector like Go's <c>%#v</c> of <c>v1.LabelSelector</c>, as the server prints it.</summary>
    public static string GoLabelSelector(JsonObject? selector)
    {
        var sb = new StringBuilder("v1.LabelSelector{MatchLabels:");
        if (selector?["matchLabels"] is JsonObject ml)
        {
            sb.Append("map[string]string{")
                .Append(string.Join(", ", ml.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"\"{kv.Key}\":\"{kv.Value}\"")))
                .Append('}');
        }
        else
        {
            sb.Append("map[string]string(nil)");
        }

        sb.Append(", MatchExpressions:");
        if (selector?["matchExpressions"] is JsonArray me)
        {
            sb.Append("[]v1.LabelSelectorRequirement{")
                .Append(string.Join(", ", me.OfType<JsonObject>().Select(e =>
                    $"v1.LabelSelectorRequirement{{Key:\"{e["key"]}\", Operator:\"{e["operator"]}\", Values:[]string{{{string.Join(", ", (e["values"] as JsonArray ?? []).Select(v => "\"" + v + "\""))}}}}}")))
                .Append('}');
        }
        else
        {
            sb.Append("[]v1.LabelSelectorRequirement(nil)");
        }

        return sb.Append('}').ToString();
    }

    private static string GoRoleRef(JsonObject? roleRef) =>
        $"rbac.RoleRef{{APIGroup:\"{roleRef?["apiGroup"]}\", Kind:\"{roleRef?["kind"]}\", Name:\"{roleRef?["name"]}\"}}";
}
