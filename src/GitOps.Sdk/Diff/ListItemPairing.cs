using System.Text.Json;

namespace GitOps.Sdk.Diff;

/// <summary>Pairs the items of a desired list with the items of a live (or last-applied) list: by merge key, by value or by position.</summary>
internal static class ListItemPairing
{
    /// <summary>Finds the live item for a desired item of a map list: by key, else (for ports) by name when the key changed; -1 when none.</summary>
    internal static int Pair(JsonElement d, JsonElement l, JsonElement item, SchemaNode schema, int position)
    {
        var liveIndex = FindByKey(l, item, schema, position);
        if (liveIndex < 0 && schema.SecondaryKey is not null)
        {
            liveIndex = FindBySecondaryKey(d, l, item, schema);
        }

        return liveIndex;
    }

    /// <summary>Finds the live item with the same key as a desired item; an item without its key fields pairs by position.</summary>
    private static int FindByKey(JsonElement live, JsonElement item, SchemaNode schema, int position)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return position < live.GetArrayLength() ? position : -1;
        }

        var keyed = false;
        foreach (var key in schema.Keys)
        {
            if (key.Utf8Default is null && JsonValues.Exists(JsonValues.Get(item, key.Utf8Name)))
            {
                keyed = true;
            }
        }

        if (!keyed)
        {
            return position < live.GetArrayLength() ? position : -1;
        }

        return FindByKeyStrict(live, item, schema);
    }

    /// <summary>Returns whether two items of a map list have the same key (absent key fields take their server default).</summary>
    internal static bool KeysEqual(JsonElement a, JsonElement b, SchemaNode schema)
    {
        if (b.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var key in schema.Keys)
        {
            var av = JsonValues.Get(a, key.Utf8Name);
            var bv = JsonValues.Get(b, key.Utf8Name);
            var aExists = JsonValues.Exists(av);
            var bExists = JsonValues.Exists(bv);
            if (aExists && bExists)
            {
                if (!JsonValues.ScalarEquals(av, bv))
                {
                    return false;
                }
            }
            else if (aExists != bExists)
            {
                var present = aExists ? av : bv;
                if (key.Utf8Default is null || present.ValueKind != JsonValueKind.String || !present.ValueEquals(key.Utf8Default))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static int FindBySecondaryKey(JsonElement d, JsonElement l, JsonElement item, SchemaNode schema)
    {
        var name = JsonValues.Get(item, schema.SecondaryKey!);
        if (name.ValueKind != JsonValueKind.String)
        {
            return -1;
        }

        var i = 0;
        foreach (var candidate in l.EnumerateArray())
        {
            var candidateName = JsonValues.Get(candidate, schema.SecondaryKey!);
            if (candidateName.ValueKind == JsonValueKind.String && JsonValues.StringEquals(name, candidateName))
            {
                var claimed = false;
                foreach (var other in d.EnumerateArray())
                {
                    if (KeysEqual(other, candidate, schema))
                    {
                        claimed = true;
                        break;
                    }
                }

                if (!claimed)
                {
                    return i;
                }
            }

            i++;
        }

        return -1;
    }

    /// <summary>Finds the item of a list (none when it is not a list) that a last-applied item stands for: by key in a map list, by value in a set.</summary>
    internal static int FindSame(JsonElement list, JsonElement item, SchemaNode schema)
    {
        if (list.ValueKind != JsonValueKind.Array)
        {
            return -1;
        }

        return schema.ListKind == ListKind.Map ? FindByKeyStrict(list, item, schema) : IndexOf(list, item);
    }

    private static int FindByKeyStrict(JsonElement list, JsonElement item, SchemaNode schema)
    {
        var i = 0;
        foreach (var candidate in list.EnumerateArray())
        {
            if (KeysEqual(item, candidate, schema))
            {
                return i;
            }

            i++;
        }

        return -1;
    }


    internal static int IndexOf(JsonElement list, JsonElement value)
    {
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (JsonValues.DeepEquals(value, item))
            {
                return i;
            }

            i++;
        }

        return -1;
    }
}
