using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>Structured-merge-diff operations on JSON objects: field sets, comparison, merge and removal.</summary>
internal static class FieldOps
{
    /// <summary>The fields an applied configuration sets (what its manager owns after the apply).</summary>
    public static FieldSet ToFieldSet(JsonObject config, SchemaNode schema)
    {
        var set = new FieldSet();
        WalkSet(config, schema, set);
        return set;
    }

    private static void WalkSet(JsonNode? value, SchemaNode schema, FieldSet node)
    {
        switch (value)
        {
            case JsonObject obj when !schema.Atomic && schema.Kind is SchemaKind.Struct or SchemaKind.Map or SchemaKind.Deduced:
                foreach (var (key, child) in obj)
                {
                    var (childSchema, declared) = schema.Child(key);
                    var childNode = node.Child(FieldSet.Field(key));
                    WalkSet(child, childSchema, childNode);
                    if (child is null || (child is JsonObject o && o.Count == 0) || !declared)
                    {
                        childNode.Member = true;
                    }
                }

                break;
            case JsonArray array when schema.Kind == SchemaKind.List && schema.ListType != ListType.Atomic && !schema.Atomic:
                foreach (var item in array)
                {
                    var element = ItemElement(item, schema);
                    var childNode = node.Child(element);
                    if (schema.ListType == ListType.Map)
                    {
                        WalkSet(item, schema.ItemSchema, childNode);
                    }

                    childNode.Member = true;
                }

                break;
            default:
                node.Member = true;
                break;
        }
    }

    public static string ItemElement(JsonNode? item, SchemaNode list) =>
        list.ListType == ListType.Map && item is JsonObject o ? FieldSet.Key(o, list) : FieldSet.Value(item);

    public sealed class Comparison
    {
        public FieldSet Added { get; } = new();

        public FieldSet Modified { get; } = new();

        public FieldSet Removed { get; } = new();

        public bool IsSame => Added.IsEmpty && Modified.IsEmpty && Removed.IsEmpty;
    }

    public static Comparison Compare(JsonObject? oldObj, JsonObject newObj, SchemaNode schema)
    {
        var c = new Comparison();
        var path = new List<string>();
        Cmp(oldObj ?? new JsonObject(), newObj, true, true, schema, path, c);
        return c;
    }

    private static void Cmp(JsonNode? l, JsonNode? r, bool hasL, bool hasR, SchemaNode schema, List<string> path, Comparison c)
    {
        // A stored null (e.g. a new CRD's "conditions": null) is an empty container that exists: its items are added, not the container.
        if (hasL && l is null && hasR)
        {
            l = r switch
            {
                JsonArray => new JsonArray(),
                JsonObject => new JsonObject(),
                _ => null,
            };
        }
        if (!hasL && !hasR)
        {
            return;
        }

        var lo = hasL ? l as JsonObject : null;
        var ro = hasR ? r as JsonObject : null;
        var granularObject = !schema.Atomic && schema.Kind is SchemaKind.Struct or SchemaKind.Map or SchemaKind.Deduced;
        if (granularObject && (lo is not null || !hasL) && (ro is not null || !hasR) && (lo is not null || ro is not null))
        {
            if (lo is not null)
            {
                foreach (var (key, lv) in lo)
                {
                    var has = ro is not null && ro.TryGetPropertyValue(key, out var rv);
                    path.Add(FieldSet.Field(key));
                    Cmp(lv, has ? ro![key] : null, true, has, schema.Child(key).Node, path, c);
                    path.RemoveAt(path.Count - 1);
                }
            }

            if (ro is not null)
            {
                foreach (var (key, rv) in ro)
                {
                    if (lo is not null && lo.ContainsKey(key))
                    {
                        continue;
                    }

                    path.Add(FieldSet.Field(key));
                    Cmp(null, rv, false, true, schema.Child(key).Node, path, c);
                    path.RemoveAt(path.Count - 1);
                }
            }

            MarkNode(hasL, hasR, path, c);
            return;
        }

        var la = hasL ? l as JsonArray : null;
        var ra = hasR ? r as JsonArray : null;
        var granularList = schema.Kind == SchemaKind.List && schema.ListType != ListType.Atomic && !schema.Atomic;
        if (granularList && (la is not null || !hasL) && (ra is not null || !hasR) && (la is not null || ra is not null))
        {
            var lItems = Index(la, schema);
            var rItems = Index(ra, schema);
            foreach (var (element, lv) in lItems)
            {
                var has = rItems.TryGetValue(element, out var rv);
                path.Add(element);
                if (schema.ListType == ListType.Set)
                {
                    if (!has)
                    {
                        c.Removed.Insert(path);
                    }
                }
                else
                {
                    Cmp(lv, rv, true, has, schema.ItemSchema, path, c);
                }

                path.RemoveAt(path.Count - 1);
            }

            foreach (var (element, rv) in rItems)
            {
                if (lItems.ContainsKey(element))
                {
                    continue;
                }

                path.Add(element);
                if (schema.ListType == ListType.Set)
                {
                    c.Added.Insert(path);
                }
                else
                {
                    Cmp(null, rv, false, true, schema.ItemSchema, path, c);
                }

                path.RemoveAt(path.Count - 1);
            }

            MarkNode(hasL, hasR, path, c);
            return;
        }

        if (!hasL)
        {
            c.Added.Insert(path);
        }
        else if (!hasR)
        {
            c.Removed.Insert(path);
        }
        else if (!JsonNode.DeepEquals(l, r))
        {
            c.Modified.Insert(path);
        }
    }

    private static void MarkNode(bool hasL, bool hasR, List<string> path, Comparison c)
    {
        if (path.Count == 0)
        {
            return;
        }

        if (!hasL)
        {
            c.Added.Insert(path);
        }
        else if (!hasR)
        {
            c.Removed.Insert(path);
        }
    }

    private static Dictionary<string, JsonNode?> Index(JsonArray? array, SchemaNode schema)
    {
        var result = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (array is null)
        {
            return result;
        }

        foreach (var item in array)
        {
            result.TryAdd(ItemElement(item, schema), item);
        }

        return result;
    }

    /// <summary>Merges an applied configuration into a live object (the configuration wins).</summary>
    public static JsonNode? Merge(JsonNode? live, JsonNode? config, SchemaNode schema)
    {
        if (live is JsonObject lo && config is JsonObject co && !schema.Atomic && schema.Kind is SchemaKind.Struct or SchemaKind.Map or SchemaKind.Deduced)
        {
            var result = (JsonObject)lo.DeepClone();
            foreach (var (key, cv) in co)
            {
                var childSchema = schema.Child(key).Node;
                result[key] = result.TryGetPropertyValue(key, out var lv) ? Merge(lv, cv, childSchema) : cv?.DeepClone();
            }

            return result;
        }

        if (live is JsonArray la && config is JsonArray ca && schema.Kind == SchemaKind.List && schema.ListType != ListType.Atomic && !schema.Atomic)
        {
            return MergeList(la, ca, schema);
        }

        return config?.DeepClone();
    }

    private static JsonArray MergeList(JsonArray live, JsonArray config, SchemaNode schema)
    {
        var lKeys = live.Select(i => ItemElement(i, schema)).ToList();
        var rKeys = config.Select(i => ItemElement(i, schema)).ToList();
        var rIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rKeys.Count; i++)
        {
            rIndex.TryAdd(rKeys[i], i);
        }

        var lIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < lKeys.Count; i++)
        {
            lIndex.TryAdd(lKeys[i], i);
        }

        var result = new JsonArray();
        var used = new HashSet<string>(StringComparer.Ordinal);
        int li = 0, ri = 0;
        while (li < lKeys.Count || ri < rKeys.Count)
        {
            if (li < lKeys.Count && used.Contains(lKeys[li]))
            {
                li++;
                continue;
            }

            if (li < lKeys.Count && ri < rKeys.Count && lKeys[li] == rKeys[ri])
            {
                result.Add(Merge(live[li], config[ri], schema.ItemSchema));
                used.Add(lKeys[li]);
                li++;
                ri++;
                continue;
            }

            if (li < lKeys.Count && !rIndex.ContainsKey(lKeys[li]))
            {
                result.Add(live[li]?.DeepClone());
                used.Add(lKeys[li]);
                li++;
                continue;
            }

            if (ri < rKeys.Count)
            {
                var key = rKeys[ri];
                if (!used.Contains(key))
                {
                    result.Add(lIndex.TryGetValue(key, out var lpos)
                        ? Merge(live[lpos], config[ri], schema.ItemSchema)
                        : config[ri]?.DeepClone());
                    used.Add(key);
                }

                ri++;
                continue;
            }

            li++;
        }

        return result;
    }

    /// <summary>Removes the member paths of <paramref name="set"/> from <paramref name="value"/>, except those <paramref name="keep"/> still holds something under.</summary>
    public static void RemoveItems(JsonNode? value, FieldSet set, SchemaNode schema, FieldSet? keep)
    {
        switch (value)
        {
            case JsonObject obj:
                foreach (var (element, child) in set.Children)
                {
                    if (!element.StartsWith("f:", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    var name = element[2..];
                    if (!obj.TryGetPropertyValue(name, out var childValue))
                    {
                        continue;
                    }

                    var keepChild = keep?.TryChild(element);
                    var childSchema = schema.Child(name).Node;
                    if (child.Member && (keepChild is null || keepChild.IsEmpty))
                    {
                        obj.Remove(name);
                        continue;
                    }

                    RemoveItems(childValue, child, childSchema, keepChild);
                    if (childValue is JsonObject { Count: 0 } && child.Member == false && childSchema.Kind == SchemaKind.Map && (keepChild is null || keepChild.IsEmpty))
                    {
                        obj.Remove(name);
                    }
                }

                break;
            case JsonArray array when schema.Kind == SchemaKind.List && schema.ListType != ListType.Atomic:
                for (var i = array.Count - 1; i >= 0; i--)
                {
                    var element = ItemElement(array[i], schema);
                    var child = set.TryChild(element);
                    if (child is null)
                    {
                        continue;
                    }

                    var keepChild = keep?.TryChild(element);
                    if (child.Member && (keepChild is null || keepChild.IsEmpty))
                    {
                        array.RemoveAt(i);
                        continue;
                    }

                    RemoveItems(array[i], child, schema.ItemSchema, keepChild);
                }

                break;
        }
    }

    /// <summary>Returns the value at a field path, or null.</summary>
    public static JsonNode? At(JsonNode? value, IReadOnlyList<string> path, SchemaNode schema)
    {
        var node = value;
        var s = schema;
        foreach (var element in path)
        {
            if (element.StartsWith("f:", StringComparison.Ordinal) && node is JsonObject o)
            {
                var name = element[2..];
                node = o[name];
                s = s.Child(name).Node;
            }
            else if (node is JsonArray a)
            {
                node = a.FirstOrDefault(i => ItemElement(i, s) == element);
                s = s.ItemSchema;
            }
            else
            {
                return null;
            }
        }

        return node;
    }
}
