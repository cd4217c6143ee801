using System.Globalization;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>JSON merge patch (RFC 7386), JSON patch (RFC 6902) and Kubernetes strategic merge patch.</summary>
internal static class Patches
{
    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject po)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject to ? (JsonObject)to.DeepClone() : new JsonObject();
        foreach (var (key, value) in po)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = MergePatch(result[key], value);
            }
        }

        return result;
    }

    public static JsonNode? JsonPatch(JsonNode? target, JsonArray operations)
    {
        var doc = target?.DeepClone();
        foreach (var op in operations.OfType<JsonObject>())
        {
            var kind = (string?)op["op"] ?? throw StatusErrors.BadRequest("the server rejected our request due to an error in our request");
            var path = (string?)op["path"] ?? string.Empty;
            switch (kind)
            {
                case "add":
                    doc = Add(doc, path, op["value"]?.DeepClone());
                    break;
                case "remove":
                    doc = Remove(doc, path, out _);
                    break;
                case "replace":
                    doc = Remove(doc, path, out _);
                    doc = Add(doc, path, op["value"]?.DeepClone());
                    break;
                case "move":
                    doc = Remove(doc, (string)op["from"]!, out var moved);
                    doc = Add(doc, path, moved);
                    break;
                case "copy":
                    doc = Add(doc, path, Get(doc, (string)op["from"]!)?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(doc, path), op["value"]))
                    {
                        throw new ApiException(422, StatusErrors.Status(422, "Invalid", $"the server rejected our request due to an error in our request", null));
                    }

                    break;
                default:
                    throw StatusErrors.BadRequest($"Unexpected kind: {kind}");
            }
        }

        return doc;
    }

    private static string[] Split(string pointer) =>
        pointer.Length == 0 ? [] : [.. pointer[1..].Split('/').Select(p => p.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];

    private static JsonNode? Get(JsonNode? doc, string pointer)
    {
        var node = doc;
        foreach (var part in Split(pointer))
        {
            node = node switch
            {
                JsonObject o => o.TryGetPropertyValue(part, out var v) ? v : throw Missing(pointer),
                JsonArray a when int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => throw Missing(pointer),
            };
        }

        return node;
    }

    private static ApiException Missing(string pointer) =>
        new(422, StatusErrors.Status(422, "Invalid", $"the server rejected our request due to an error in our request", null))
        {
        };

    private static JsonNode? Add(JsonNode? doc, string pointer, JsonNode? value)
    {
        var parts = Split(pointer);
        if (parts.Length == 0)
        {
            return value;
        }

        var parent = Get(doc, "/" + string.Join('/', parts[..^1].Select(p => p.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))));
        if (parts.Length == 1)
        {
            parent = doc;
        }

        var last = parts[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a:
                if (last == "-")
                {
                    a.Add(value);
                }
                else if (int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count)
                {
                    a.Insert(i, value);
                }
                else
                {
                    throw Missing(pointer);
                }

                break;
            default:
                throw Missing(pointer);
        }

        return doc;
    }

    private static JsonNode? Remove(JsonNode? doc, string pointer, out JsonNode? removed)
    {
        var parts = Split(pointer);
        if (parts.Length == 0)
        {
            removed = doc;
            return null;
        }

        var parent = parts.Length == 1 ? doc : Get(doc, "/" + string.Join('/', parts[..^1].Select(p => p.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal))));
        var last = parts[^1];
        switch (parent)
        {
            case JsonObject o when o.TryGetPropertyValue(last, out var v):
                o.Remove(last);
                removed = v;
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                removed = a[i];
                a.RemoveAt(i);
                break;
            default:
                throw Missing(pointer);
        }

        return doc;
    }

    /// <summary>Strategic merge patch: lists with merge keys merge by key, directives <c>$patch</c>, <c>$setElementOrder</c>, <c>$deleteFromPrimitiveList</c>, <c>$retainKeys</c>.</summary>
    public static JsonNode? StrategicMerge(JsonNode? target, JsonNode? patch, SchemaNode schema)
    {
        if (patch is not JsonObject po)
        {
            return patch?.DeepClone();
        }

        if ((string?)po["$patch"] == "replace")
        {
            var replaced = (JsonObject)po.DeepClone();
            replaced.Remove("$patch");
            return replaced;
        }

        if ((string?)po["$patch"] == "delete")
        {
            return null;
        }

        var result = target is JsonObject to ? (JsonObject)to.DeepClone() : new JsonObject();
        if (po["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(k => (string?)k).ToHashSet(StringComparer.Ordinal);
            foreach (var key in result.Select(kv => kv.Key).Where(k => !keep.Contains(k)).ToList())
            {
                result.Remove(key);
            }
        }

        foreach (var (key, value) in po)
        {
            if (key.StartsWith('$'))
            {
                if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal) && value is JsonArray toDelete)
                {
                    var field = key["$deleteFromPrimitiveList/".Length..];
                    if (result[field] is JsonArray list)
                    {
                        for (var i = list.Count - 1; i >= 0; i--)
                        {
                            if (toDelete.Any(d => JsonNode.DeepEquals(d, list[i])))
                            {
                                list.RemoveAt(i);
                            }
                        }
                    }
                }

                continue;
            }

            var childSchema = schema.Child(key).Node;
            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            if (value is JsonArray patchList && childSchema.Kind == SchemaKind.List && childSchema.ListType != ListType.Atomic)
            {
                result[key] = MergeList(result[key] as JsonArray, patchList, childSchema, po[$"$setElementOrder/{key}"] as JsonArray);
                continue;
            }

            if (value is JsonObject && !childSchema.Atomic && childSchema.Kind != SchemaKind.Scalar && childSchema.Kind != SchemaKind.List)
            {
                var merged = StrategicMerge(result[key], value, childSchema);
                if (merged is null)
                {
                    result.Remove(key);
                }
                else
                {
                    result[key] = merged;
                }

                continue;
            }

            result[key] = value.DeepClone();
        }

        return result;
    }

    private static JsonArray MergeList(JsonArray? live, JsonArray patch, SchemaNode schema, JsonArray? order)
    {
        var result = live is null ? new JsonArray() : (JsonArray)live.DeepClone();
        if (schema.ListType == ListType.Set)
        {
            foreach (var item in patch)
            {
                if (!result.Any(r => JsonNode.DeepEquals(r, item)))
                {
                    result.Add(item?.DeepClone());
                }
            }

            return result;
        }

        var mergeKey = schema.Keys.Length > 0 ? schema.Keys[0] : "name";
        if (patch.OfType<JsonObject>().Any(p => (string?)p["$patch"] == "replace"))
        {
            var replaced = new JsonArray();
            foreach (var p in patch.OfType<JsonObject>().Where(p => (string?)p["$patch"] != "replace"))
            {
                replaced.Add(p.DeepClone());
            }

            return replaced;
        }

        foreach (var item in patch.OfType<JsonObject>())
        {
            var keyValue = item[mergeKey];
            var index = -1;
            for (var i = 0; i < result.Count; i++)
            {
                if (result[i] is JsonObject r && JsonNode.DeepEquals(r[mergeKey], keyValue))
                {
                    index = i;
                    break;
                }
            }

            if ((string?)item["$patch"] == "delete")
            {
                if (index >= 0)
                {
                    result.RemoveAt(index);
                }

                continue;
            }

            if (index >= 0)
            {
                result[index] = StrategicMerge(result[index], item, schema.ItemSchema);
            }
            else
            {
                result.Add(StrategicMerge(null, item, schema.ItemSchema));
            }
        }

        if (order is not null)
        {
            var ordered = new JsonArray();
            var remaining = result.ToList();
            foreach (var o in order.OfType<JsonObject>())
            {
                var match = remaining.FirstOrDefault(r => r is JsonObject ro && JsonNode.DeepEquals(ro[mergeKey], o[mergeKey]));
                if (match is not null)
                {
                    remaining.Remove(match);
                    ordered.Add(match.DeepClone());
                }
            }

            foreach (var r in remaining)
            {
                ordered.Add(r?.DeepClone());
            }

            return ordered;
        }

        return result;
    }
}
