using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>
/// What a real server refuses before validation even runs, because the body does not fit the Go types of the built-in
/// kinds: a list where a string belongs, undecodable base64 in <c>[]byte</c> maps, malformed quantities, a string
/// where an integer belongs (400 BadRequest, worded as the decoder words it); plus the field formats validation checks
/// (ports, port names, container and env names, replicas: 422 Invalid).
/// </summary>
internal static partial class TypeChecks
{
    private const string QuantityMessage = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

    [GeneratedRegex("^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")]
    private static partial Regex QuantityShape();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex EnvVarName();

    /// <summary>Checks a request body (apply configuration, create/update body or patched object) against the Go types.</summary>
    /// <param name="type">The resource.</param>
    /// <param name="body">The body.</param>
    /// <param name="apply">Whether the body is a server-side apply configuration (typed-conversion wording).</param>
    public static void CheckTypes(ResourceType type, JsonObject body, bool apply)
    {
        if (type.IsCustom)
        {
            return;
        }

        var checker = new Checker(type, apply);
        checker.StringMap(body["metadata"]?["labels"], "ObjectMeta", "metadata.labels");
        checker.StringMap(body["metadata"]?["annotations"], "ObjectMeta", "metadata.annotations");
        switch (type.Group + "/" + type.Kind)
        {
            case "/ConfigMap":
                checker.StringMap(body["data"], "ConfigMap", "data");
                checker.Base64Map(body["binaryData"], "ConfigMap", "binaryData");
                break;
            case "/Secret":
                checker.Base64Map(body["data"], "Secret", "data");
                checker.StringMap(body["stringData"], "Secret", "stringData");
                break;
            case "/Pod":
                checker.PodSpec(body["spec"], "spec");
                break;
            case "/Service":
                foreach (var (port, i) in Items(body["spec"]?["ports"]))
                {
                    checker.Integer(port["port"], "ServicePort", $"spec.ports[{i}].port", "int32");
                    checker.Integer(port["nodePort"], "ServicePort", $"spec.ports[{i}].nodePort", "int32");
                    checker.IntOrString(port["targetPort"], "ServicePort", $"spec.ports[{i}].targetPort");
                }

                break;
            case "apps/Deployment" or "apps/ReplicaSet" or "apps/StatefulSet" or "apps/DaemonSet" or "/ReplicationController" or "/PodTemplate":
                checker.Integer(body["spec"]?["replicas"], type.Kind + "Spec", "spec.replicas", "int32");
                checker.PodSpec(body["spec"]?["template"]?["spec"] ?? body["template"]?["spec"], body["template"] is null ? "spec.template.spec" : "template.spec");
                break;
            case "batch/Job":
                checker.PodSpec(body["spec"]?["template"]?["spec"], "spec.template.spec");
                break;
            case "batch/CronJob":
                checker.PodSpec(body["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"], "spec.jobTemplate.spec.template.spec");
                break;
        }

        checker.Throw();
    }

    /// <summary>Field formats the server validates (422 Invalid), for the fields <see cref="CheckTypes"/> knows.</summary>
    public static void Validate(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        switch (type.Group + "/" + type.Kind)
        {
            case "/Pod":
                PodSpecFormats(obj["spec"], "spec", errors);
                break;
            case "/Service":
                foreach (var (port, i) in Items(obj["spec"]?["ports"]))
                {
                    PortNumber(port["port"], $"spec.ports[{i}].port", errors);
                    if (port["targetPort"] is JsonValue target && target.TryGetValue<string>(out var name))
                    {
                        PortName(name, $"spec.ports[{i}].targetPort", errors);
                    }
                    else if (port["targetPort"] is JsonValue number && number.GetValueKind() == JsonValueKind.Number)
                    {
                        PortNumber(number, $"spec.ports[{i}].targetPort", errors);
                    }
                }

                break;
            case "apps/Deployment" or "apps/ReplicaSet" or "apps/StatefulSet" or "/ReplicationController":
                if (JsonValues.Long(obj["spec"]?["replicas"]) is long replicas && replicas < 0)
                {
                    errors.Add(new FieldError("FieldValueInvalid", "spec.replicas", $"Invalid value: {replicas}: must be greater than or equal to 0"));
                }

                PodSpecFormats(obj["spec"]?["template"]?["spec"], "spec.template.spec", errors);
                break;
            case "apps/DaemonSet" or "batch/Job":
                PodSpecFormats(obj["spec"]?["template"]?["spec"], "spec.template.spec", errors);
                break;
            case "batch/CronJob":
                PodSpecFormats(obj["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"], "spec.jobTemplate.spec.template.spec", errors);
                break;
        }
    }

    private static void PodSpecFormats(JsonNode? spec, string path, List<FieldError> errors)
    {
        foreach (var list in new[] { "initContainers", "containers" })
        {
            foreach (var (container, i) in Items(spec?[list]))
            {
                var at = $"{path}.{list}[{i}]";
                if ((string?)container["name"] is { Length: > 0 } name && (name.Length > 63 || !Dns1123Label().IsMatch(name)))
                {
                    errors.Add(new FieldError("FieldValueInvalid", at + ".name",
                        $"Invalid value: \"{name}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
                }

                foreach (var (port, j) in Items(container["ports"]))
                {
                    PortNumber(port["containerPort"], $"{at}.ports[{j}].containerPort", errors);
                    if ((string?)port["name"] is { Length: > 0 } portName)
                    {
                        PortName(portName, $"{at}.ports[{j}].name", errors);
                    }
                }

                foreach (var (env, j) in Items(container["env"]))
                {
                    if ((string?)env["name"] is { Length: > 0 } envName && !EnvVarName().IsMatch(envName))
                    {
                        errors.Add(new FieldError("FieldValueInvalid", $"{at}.env[{j}].name",
                            $"Invalid value: \"{envName}\": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"));
                    }
                }
            }
        }
    }

    private static void PortNumber(JsonNode? node, string path, List<FieldError> errors)
    {
        if (JsonValues.Long(node) is long port && (port < 1 || port > 65535))
        {
            errors.Add(new FieldError("FieldValueInvalid", path, $"Invalid value: {port}: must be between 1 and 65535, inclusive"));
        }
    }

    /// <summary>IANA_SVC_NAME: at most 15 characters, a-z 0-9 and single inner hyphens, at least one letter (each broken rule is one cause).</summary>
    private static void PortName(string name, string path, List<FieldError> errors)
    {
        var problems = new List<string>();
        if (name.Length > 15)
        {
            problems.Add("must be no more than 15 characters");
        }

        if (!name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
        {
            problems.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }

        if (!name.Any(c => c is >= 'a' and <= 'z'))
        {
            problems.Add("must contain at least one letter (a-z)");
        }

        if (name.Contains("--", StringComparison.Ordinal))
        {
            problems.Add("must not contain consecutive hyphens");
        }

        if (name.StartsWith('-') || name.EndsWith('-'))
        {
            problems.Add("must not begin or end with a hyphen");
        }

        foreach (var problem in problems)
        {
            errors.Add(new FieldError("FieldValueInvalid", path, $"Invalid value: \"{name}\": {problem}"));
        }
    }

    private static IEnumerable<(JsonObject Item, int Index)> Items(JsonNode? list) =>
        (list as JsonArray ?? []).Select((item, i) => (item as JsonObject, i)).Where(x => x.Item1 is not null).Select(x => (x.Item1!, x.i));

    /// <summary>Collects the first decoding error, worded as the server words it for the request's kind of body.</summary>
    private sealed class Checker(ResourceType type, bool apply)
    {
        private string? _error;

        public void Throw()
        {
            if (_error is not null)
            {
                throw StatusErrors.BadRequest(_error);
            }
        }

        public void StringMap(JsonNode? map, string goStruct, string path)
        {
            if (_error is not null || map is null)
            {
                return;
            }

            if (map is not JsonObject obj)
            {
                Mismatch(map, goStruct, path, "map[string]string", path);
                return;
            }

            foreach (var (key, value) in obj)
            {
                if (value is not null && !(value is JsonValue v && v.GetValueKind() == JsonValueKind.String))
                {
                    Mismatch(value, goStruct, path, "string", path + "." + key);
                    return;
                }
            }
        }

        public void Base64Map(JsonNode? map, string goStruct, string path)
        {
            StringMap(map, goStruct, path);
            if (_error is not null || map is not JsonObject obj)
            {
                return;
            }

            foreach (var (_, value) in obj)
            {
                if ((string?)value is string text && Base64Error(text) is int at)
                {
                    _error = Handled("illegal base64 data at input byte " + at.ToString(CultureInfo.InvariantCulture));
                    return;
                }
            }
        }

        public void Integer(JsonNode? node, string goStruct, string path, string goType)
        {
            if (_error is null && node is JsonValue v && v.GetValueKind() != JsonValueKind.Number)
            {
                Mismatch(node, goStruct, GoPath(path), goType, path);
            }
            else if (_error is null && node is JsonArray or JsonObject)
            {
                Mismatch(node, goStruct, GoPath(path), goType, path);
            }
        }

        public void IntOrString(JsonNode? node, string goStruct, string path)
        {
            if (_error is null && node is not null && !(node is JsonValue v && v.GetValueKind() is JsonValueKind.Number or JsonValueKind.String))
            {
                _error = apply
                    ? Typed(path, "expected numeric (int or float) or string, got " + GoValue(node))
                    : Handled("json: cannot unmarshal " + JsonKind(node) + " into Go struct field " + goStruct + "." + GoPath(path) + " of type intstr.IntOrString");
            }
        }

        public void PodSpec(JsonNode? spec, string path)
        {
            foreach (var list in new[] { "initContainers", "containers" })
            {
                foreach (var (container, i) in Items(spec?[list]))
                {
                    var at = $"{path}.{list}[{i}]";
                    String(container["name"], "Container", $"{at}.name");
                    String(container["image"], "Container", $"{at}.image");
                    foreach (var (port, j) in Items(container["ports"]))
                    {
                        Integer(port["containerPort"], "ContainerPort", $"{at}.ports[{j}].containerPort", "int32");
                        String(port["name"], "ContainerPort", $"{at}.ports[{j}].name");
                    }

                    foreach (var (env, j) in Items(container["env"]))
                    {
                        String(env["name"], "EnvVar", $"{at}.env[{j}].name");
                        if (env["value"] is JsonNode value && !(value is JsonValue v && v.GetValueKind() == JsonValueKind.String))
                        {
                            Mismatch(value, "EnvVar", GoPath($"{at}.env[{j}].value"), "string", $"{at}.env[{j}].value");
                        }
                    }

                    foreach (var section in new[] { "requests", "limits" })
                    {
                        foreach (var (_, quantity) in container["resources"]?[section] as JsonObject ?? [])
                        {
                            if (_error is null && quantity is JsonValue q && !ValidQuantity(q))
                            {
                                _error = Handled(QuantityMessage);
                            }
                        }
                    }
                }
            }
        }

        /// <summary>A string field given another JSON type (a YAML <c>true</c> or number where a name belongs).</summary>
        private void String(JsonNode? node, string goStruct, string path)
        {
            if (node is not null && !(node is JsonValue v && v.GetValueKind() == JsonValueKind.String))
            {
                Mismatch(node, goStruct, GoPath(path), "string", path);
            }
        }

        private static bool ValidQuantity(JsonValue q)
        {
            if (q.GetValueKind() == JsonValueKind.Number)
            {
                return true;
            }

            var text = (string?)q ?? string.Empty;
            return QuantityShape().IsMatch(text) && Quantity.TryParse(text, out _, out _);
        }

        private void Mismatch(JsonNode node, string goStruct, string goPath, string goType, string path)
        {
            if (_error is not null)
            {
                return;
            }

            _error = apply
                ? Typed(path, "expected " + (goType.StartsWith("int", StringComparison.Ordinal) ? "numeric (int or float)" : goType.StartsWith("map", StringComparison.Ordinal) ? "map" : "string") + ", got " + GoValue(node))
                : Handled("json: cannot unmarshal " + JsonKind(node) + " into Go struct field " + goStruct + "." + goPath + " of type " + goType);
        }

        private string Typed(string path, string problem) =>
            $"failed to create typed patch object ({type.Group}/{type.Version}, Kind={type.Kind}): .{path}: {problem}";

        private string Handled(string problem) => $"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: {problem}";

        /// <summary>encoding/json names the field by its path without list indexes.</summary>
        private static string GoPath(string path) => Regex.Replace(path, "\\[[0-9]+\\]", string.Empty);

        private static string JsonKind(JsonNode node) => node switch
        {
            JsonArray => "array",
            JsonObject => "object",
            JsonValue v => v.GetValueKind() switch
            {
                JsonValueKind.Number => "number",
                JsonValueKind.True or JsonValueKind.False => "bool",
                _ => "string",
            },
            _ => "null",
        };

        /// <summary>The structured-merge-diff rendering of the offending value.</summary>
        private static string GoValue(JsonNode node) => "&value.valueUnstructured{Value:" + GoLiteral(node) + "}";

        private static string GoLiteral(JsonNode? node) => node switch
        {
            JsonArray a => "[]interface {}{" + string.Join(", ", a.Select(GoLiteral)) + "}",
            JsonObject o => "map[string]interface {}{" + string.Join(", ", o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => "\"" + kv.Key + "\":" + GoLiteral(kv.Value))) + "}",
            JsonValue v when v.GetValueKind() == JsonValueKind.String => "\"" + (string?)v + "\"",
            JsonValue v => v.ToJsonString(),
            _ => "interface {}(nil)",
        };

        /// <summary>Where Go's standard base64 decoder stops: the first character outside the alphabet, or the start of an incomplete quantum.</summary>
        private static int? Base64Error(string text)
        {
            var s = text.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal);
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                var inAlphabet = char.IsAsciiLetterOrDigit(c) || c is '+' or '/';
                if (c == '=')
                {
                    // Padding only in the last quantum: "xx==" or "xxx=".
                    var quantum = i % 4;
                    var valid = i + (4 - quantum) == s.Length && (quantum == 3 || (quantum == 2 && i + 1 < s.Length && s[i + 1] == '='));
                    if (!valid)
                    {
                        return i;
                    }

                    return null;
                }

                if (!inAlphabet)
                {
                    return i;
                }
            }

            return s.Length % 4 == 0 ? null : s.Length - (s.Length % 4);
        }
    }
}
