using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Rendering;

/// <summary>Shared plumbing of the built-in transforms.</summary>
internal static class TransformHelpers
{
    /// <summary>Applies <paramref name="map"/> to every object; returns the same state when nothing changed.</summary>
    public static DesiredState Map(DesiredState state, Func<KubeObject, KubeObject> map)
    {
        var objects = MapAll(state.Objects, map);
        return objects == state.Objects ? state : state with { Objects = objects };
    }

    /// <summary>Gets (creating when absent) <c>metadata.&lt;name&gt;</c> of a mutable object.</summary>
    public static JsonObject MetadataMap(JsonObject node, string name)
    {
        if (node["metadata"] is not JsonObject metadata)
        {
            metadata = [];
            node["metadata"] = metadata;
        }

        if (metadata[name] is not JsonObject map)
        {
            map = [];
            metadata[name] = map;
        }

        return map;
    }

    /// <summary>Whether <c>metadata.&lt;map&gt;</c> of <paramref name="obj"/> already holds every pair of <paramref name="wanted"/>.</summary>
    public static bool HasAll(KubeObject obj, string map, IEnumerable<KeyValuePair<string, string>> wanted)
    {
        foreach (var (key, value) in wanted)
        {
            if (!string.Equals(MetadataValue(obj, map, key), value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Reads one string of <c>metadata.&lt;map&gt;</c> straight from the JSON, without building the object's label or
    /// annotation dictionaries (the transforms look at every object, usually for one key).
    /// </summary>
    public static string? MetadataValue(KubeObject obj, string map, string key) =>
        obj.Metadata.ValueKind == System.Text.Json.JsonValueKind.Object
        && obj.Metadata.TryGetProperty(map, out var values)
        && values.ValueKind == System.Text.Json.JsonValueKind.Object
        && values.TryGetProperty(key, out var value)
        && value.ValueKind == System.Text.Json.JsonValueKind.String
            ? value.GetString()
            : null;

    private static ImmutableArray<KubeObject> MapAll(ImmutableArray<KubeObject> items, Func<KubeObject, KubeObject> map)
    {
        if (items.IsDefaultOrEmpty)
        {
            return items;
        }

        ImmutableArray<KubeObject>.Builder? builder = null;
        for (var i = 0; i < items.Length; i++)
        {
            var mapped = map(items[i]);
            if (builder is null && !ReferenceEquals(mapped, items[i]))
            {
                builder = ImmutableArray.CreateBuilder<KubeObject>(items.Length);
                for (var j = 0; j < i; j++)
                {
                    builder.Add(items[j]);
                }
            }

            builder?.Add(mapped);
        }

        return builder is null ? items : builder.MoveToImmutable();
    }
}
