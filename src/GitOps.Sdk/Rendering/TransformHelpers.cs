using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Rendering;

/// <summary>Shared plumbing of the built-in transforms.</summary>
internal static class TransformHelpers
{
    /// <summary>Applies <paramref name="map"/> to every object and hook; returns the same state when nothing changed.</summary>
    public static DesiredState Map(DesiredState state, Func<KubeObject, KubeObject> map)
    {
        var objects = MapAll(state.Objects, map);
        var hooks = MapAll(state.Hooks, map);
        return objects == state.Objects && hooks == state.Hooks ? state : state with { Objects = objects, Hooks = hooks };
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

    /// <summary>Whether <paramref name="present"/> already holds every pair of <paramref name="wanted"/>.</summary>
    public static bool HasAll(IReadOnlyDictionary<string, string> present, IEnumerable<KeyValuePair<string, string>> wanted) =>
        wanted.All(p => present.TryGetValue(p.Key, out var v) && string.Equals(v, p.Value, StringComparison.Ordinal));

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
