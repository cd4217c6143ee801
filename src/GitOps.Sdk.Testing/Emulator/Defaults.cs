using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>
/// Server-side defaulting of the built-in kinds (the values kube-apiserver v1.24 fills in) and structural-schema
/// defaults of custom resources; quantities are stored canonical. The built-in kinds' rules are per API group
/// (<see cref="CoreDefaults"/>, <see cref="WorkloadDefaults"/>, <see cref="PodDefaults"/>, <see cref="ApiGroupDefaults"/>);
/// this class dispatches and holds the helpers they share.
/// </summary>
internal static class Defaults
{
    public static void Apply(ResourceType type, JsonObject obj)
    {
        if (type.IsCustom)
        {
            ApplySchemaDefaults(obj, type.Schema, topLevel: true);
            return;
        }

        var key = type.Group + "/" + type.Kind;
        switch (type.Group)
        {
            case "apps" or "batch":
                WorkloadDefaults.Apply(key, obj);
                break;
            case "":
                CoreDefaults.Apply(key, obj);
                break;
            default:
                ApiGroupDefaults.Apply(type, key, obj);
                break;
        }
    }

    private static void ApplySchemaDefaults(JsonNode? node, SchemaNode schema, bool topLevel)
    {
        switch (node)
        {
            case JsonObject obj when schema.Kind == SchemaKind.Struct && schema.Fields is not null:
                foreach (var (name, field) in schema.Fields)
                {
                    if (topLevel && name == "metadata")
                    {
                        continue;
                    }

                    if (!obj.ContainsKey(name) && field.Default is not null)
                    {
                        obj[name] = field.Default.DeepClone();
                    }

                    if (obj[name] is JsonNode child)
                    {
                        ApplySchemaDefaults(child, field, false);
                    }
                }

                break;
            case JsonObject map when schema.Kind == SchemaKind.Map && schema.Element is not null:
                foreach (var (_, v) in map)
                {
                    ApplySchemaDefaults(v, schema.Element, false);
                }

                break;
            case JsonArray array when schema.Element is not null:
                foreach (var item in array)
                {
                    ApplySchemaDefaults(item, schema.Element, false);
                }

                break;
        }
    }

    public static JsonObject Obj(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject o)
        {
            return o;
        }

        o = new JsonObject();
        parent[name] = o;
        return o;
    }

    public static void Set(JsonObject obj, string name, JsonNode value)
    {
        if (obj[name] is null)
        {
            obj[name] = value;
        }
    }

    public static IEnumerable<JsonObject> Items(JsonObject? parent, string name) =>
        parent?[name] is JsonArray a ? a.OfType<JsonObject>().ToList() : [];

    public static void CanonicalMap(JsonObject? map)
    {
        if (map is null)
        {
            return;
        }

        foreach (var key in map.Select(kv => kv.Key).ToList())
        {
            if (map[key] is JsonValue v)
            {
                map[key] = Quantity.Canonicalize(v.ToString());
            }
        }
    }
}
