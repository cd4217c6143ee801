using System.Text.Json;

namespace GitOps.Sdk.Diff;

/// <summary>The three-way compare from our field manager's <c>fieldsV1</c> set: an owned field that desired lacks and live still has was removed from desired.</summary>
internal readonly struct ManagedFieldsWalker
{
    private readonly WalkContext _c;

    public ManagedFieldsWalker(WalkContext context) => _c = context;

    /// <summary>Walks our field manager's <c>fieldsV1</c> set: an owned field that desired lacks and live still has was removed from desired.</summary>
    public bool Walk(JsonElement owned, JsonElement d, JsonElement l, SchemaNode schema, ulong ignore, int depth)
    {
        var found = false;
        foreach (var p in owned.EnumerateObject())
        {
            var kind = FieldsV1.Classify(JsonValues.RawName(p), out var rest);
            bool differs;
            switch (kind)
            {
                case FieldsV1.ElementKind.Field:
                    differs = OwnedField(p.Value, rest, d, l, schema, ignore, depth);
                    break;
                case FieldsV1.ElementKind.Key:
                case FieldsV1.ElementKind.Value:
                case FieldsV1.ElementKind.Index:
                    differs = OwnedItem(p.Value, rest, kind, d, l, schema, ignore, depth);
                    break;
                default:
                    continue;
            }

            if (differs)
            {
                found = true;
                if (_c.Detecting)
                {
                    return true;
                }
            }
        }

        return found;
    }

    private bool OwnedField(JsonElement owned, ReadOnlySpan<byte> name, JsonElement d, JsonElement l, SchemaNode schema, ulong ignore, int depth)
    {
        if (WalkContext.IsNeverCompared(name, depth, schema))
        {
            return false;
        }

        var childIgnore = _c.Rules.AdvanceName(ignore, depth, name, out var ignored);
        if (ignored)
        {
            return false;
        }

        var dv = JsonValues.Get(d, name);
        var lv = JsonValues.Get(l, name);
        if (_c.IsSecret && depth == 0 && (name.SequenceEqual("stringData"u8) || name.SequenceEqual("data"u8)))
        {
            return new SecretDataWalker(_c).RemovedOwnedKeys(owned, name, d, l, childIgnore);
        }

        if (!JsonValues.Exists(dv))
        {
            if (!JsonValues.Exists(lv))
            {
                return false;
            }

            if (HasOwnedChildren(owned))
            {
                // We owned parts of this map or list, not all of it: only those parts were removed from desired.
                _c.PushName(name, lv);
                var partly = Walk(owned, default, lv, schema.Child(name)!, childIgnore, depth + 1);
                _c.Pop();
                return partly;
            }

            _c.PushName(name, lv);
            var removed = _c.Report(FieldChangeKind.Removed, default, lv);
            _c.Pop();
            return removed;
        }

        if (owned.ValueKind != JsonValueKind.Object || dv.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            return false;
        }

        _c.PushName(name, lv);
        var differs = Walk(owned, dv, lv, schema.Child(name)!, childIgnore, depth + 1);
        _c.Pop();
        return differs;
    }

    private static bool HasOwnedChildren(JsonElement owned)
    {
        if (owned.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var p in owned.EnumerateObject())
        {
            if (FieldsV1.Classify(JsonValues.RawName(p), out _) != FieldsV1.ElementKind.Self)
            {
                return true;
            }
        }

        return false;
    }

    private bool OwnedItem(JsonElement owned, ReadOnlySpan<byte> rest, FieldsV1.ElementKind kind, JsonElement d, JsonElement l, SchemaNode schema, ulong ignore, int depth)
    {
        var desiredIndex = d.ValueKind == JsonValueKind.Array ? FindOwned(d, rest, kind, schema) : -1;
        if (desiredIndex >= 0)
        {
            if (kind == FieldsV1.ElementKind.Value || owned.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var childIgnore = _c.Rules.AdvanceIndex(ignore, depth, desiredIndex, out var ignored);
            if (ignored)
            {
                return false;
            }

            var desiredItem = d[desiredIndex];
            var liveIndex = l.ValueKind == JsonValueKind.Array ? FindOwned(l, rest, kind, schema) : -1;
            var liveItem = liveIndex >= 0 ? l[liveIndex] : default;
            _c.PushIndex(desiredIndex, liveItem, liveIndex);
            var differs = Walk(owned, desiredItem, liveItem, schema.Items ?? SchemaNode.Generic, childIgnore, depth + 1);
            _c.Pop();
            return differs;
        }

        if (l.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var removedIndex = FindOwned(l, rest, kind, schema);
        if (removedIndex < 0)
        {
            return false;
        }

        _c.Rules.AdvanceIndex(ignore, depth, removedIndex, out var removedIgnored);
        if (removedIgnored)
        {
            return false;
        }

        var removedItem = l[removedIndex];
        _c.PushIndex(removedIndex, removedItem, removedIndex);
        var reported = _c.Report(FieldChangeKind.Removed, default, removedItem);
        _c.Pop();
        return reported;
    }

    private static int FindOwned(JsonElement list, ReadOnlySpan<byte> rest, FieldsV1.ElementKind kind, SchemaNode schema)
    {
        if (kind == FieldsV1.ElementKind.Index)
        {
            return FieldsV1.TryParseIndex(rest, out var n) && n < list.GetArrayLength() ? n : -1;
        }

        if (kind == FieldsV1.ElementKind.Key)
        {
            return FieldsV1.FindKeyed(rest, list, schema);
        }

        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (FieldsV1.ValueMatches(rest, item))
            {
                return i;
            }

            i++;
        }

        return -1;
    }
}
