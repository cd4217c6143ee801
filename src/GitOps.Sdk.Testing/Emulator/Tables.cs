using System.Globalization;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>Server-side printing (<c>Accept: application/json;as=Table;v=v1;g=meta.k8s.io</c>), as <c>kubectl get</c> asks for it.</summary>
internal static class Tables
{
    private const string NameDescription =
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: http://kubernetes.io/docs/user-guide/identifiers#names";

    public static JsonObject ForObjects(ResourceType type, IReadOnlyList<StoredObject> items, string resourceVersion, string? continueToken, TimeProvider time)
    {
        var columns = new JsonArray
        {
            Column("Name", "string", "name", NameDescription),
        };
        var extractors = new List<Func<JsonObject, JsonNode?>> { o => o["metadata"]?["name"]?.DeepClone() };
        if (type.PrinterColumns is JsonArray printer)
        {
            foreach (var col in printer.OfType<JsonObject>())
            {
                var jsonPath = (string?)col["jsonPath"] ?? string.Empty;
                var colType = (string?)col["type"] ?? "string";
                columns.Add(Column((string)col["name"]!, colType, (string?)col["format"] ?? string.Empty,
                    (string?)col["description"] ?? "Custom resource definition column (in JSONPath format): " + jsonPath, Priority(col["priority"])));
                extractors.Add(o =>
                {
                    var value = Eval(o, jsonPath);
                    return colType == "date" && value is JsonValue v ? Age(v.ToString(), time) : value?.DeepClone();
                });
            }
        }
        else
        {
            columns.Add(Column("Age", "string", string.Empty, "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"));
            extractors.Add(o => Age((string?)o["metadata"]?["creationTimestamp"], time));
        }

        var rows = new JsonArray();
        foreach (var item in items)
        {
            var cells = new JsonArray();
            foreach (var extract in extractors)
            {
                cells.Add(extract(item.Node));
            }

            var meta = item.Node["metadata"]?.DeepClone();
            rows.Add(new JsonObject
            {
                ["cells"] = cells,
                ["object"] = new JsonObject { ["kind"] = "PartialObjectMetadata", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = meta },
            });
        }

        var metadata = new JsonObject { ["resourceVersion"] = resourceVersion };
        if (continueToken is not null)
        {
            metadata["continue"] = continueToken;
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = metadata,
            ["columnDefinitions"] = columns,
            ["rows"] = rows,
        };
    }

    /// <summary>A column's priority, however the number was stored (a definition read from YAML holds a long).</summary>
    private static int Priority(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<long>(out var l) ? (int)l
        : node is JsonValue i && i.TryGetValue<int>(out var n) ? n
        : node is JsonValue d && d.TryGetValue<double>(out var x) ? (int)x
        : 0;

    private static JsonObject Column(string name, string type, string format, string description, int priority = 0) => new()
    {
        ["name"] = name,
        ["type"] = type,
        ["format"] = format,
        ["description"] = description,
        ["priority"] = priority,
    };

    /// <summary>
    /// Evaluates a printer column's JSONPath: <c>.a.b</c>, an index <c>.a[0]</c> and a filter on a field of the items,
    /// <c>.status.conditions[?(@.type=="Ready")].status</c> (the first match, as the server prints it).
    /// </summary>
    internal static JsonNode? Eval(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        var rest = path.Trim().TrimStart('{').TrimEnd('}').TrimStart('.');
        while (rest.Length > 0 && node is not null)
        {
            if (rest[0] == '[')
            {
                var close = rest.IndexOf(']', StringComparison.Ordinal);
                if (close < 0)
                {
                    return null;
                }

                node = Select(node, rest[1..close]);
                rest = rest[(close + 1)..].TrimStart('.');
                continue;
            }

            var end = rest.IndexOfAny(['.', '[']);
            var part = end < 0 ? rest : rest[..end];
            node = node is JsonObject o ? o[part] : null;
            rest = end < 0 ? string.Empty : rest[end..].TrimStart('.');
        }

        return node;
    }

    private static JsonNode? Select(JsonNode node, string selector)
    {
        if (node is not JsonArray array)
        {
            return null;
        }

        if (int.TryParse(selector, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index))
        {
            return index >= 0 && index < array.Count ? array[index] : null;
        }

        // ?(@.field=="value")
        var filter = selector.Trim();
        if (!filter.StartsWith("?(@.", StringComparison.Ordinal) || !filter.EndsWith(')'))
        {
            return null;
        }

        var parts = filter[4..^1].Split("==", 2);
        if (parts.Length != 2)
        {
            return null;
        }

        var field = parts[0].Trim();
        var value = parts[1].Trim().Trim('"', '\'');
        return array.OfType<JsonObject>().FirstOrDefault(item => item[field] is JsonValue v && v.ToString() == value);
    }

    private static string? Age(string? timestamp, TimeProvider time)
    {
        if (timestamp is null || !DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            return "<unknown>";
        }

        return HumanDuration(time.GetUtcNow() - t);
    }

    /// <summary>Formats a duration like the API server's <c>duration.HumanDuration</c>.</summary>
    public static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 60 * 2)
        {
            return $"{seconds}s";
        }

        var minutes = seconds / 60;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? $"{minutes}m" : $"{minutes}m{s}s";
        }

        if (minutes < 60 * 3)
        {
            return $"{minutes}m";
        }

        var hours = minutes / 60;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? $"{hours}h" : $"{hours}h{m}m";
        }

        if (hours < 48)
        {
            return $"{hours}h";
        }

        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? $"{hours / 24}d" : $"{hours / 24}d{h}h";
        }

        if (hours < 24 * 365 * 2)
        {
            return $"{hours / 24}d";
        }

        return $"{hours / 24 / 365}y";
    }
}
