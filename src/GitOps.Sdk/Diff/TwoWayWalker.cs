using System.Text.Json;

namespace GitOps.Sdk.Diff;

/// <summary>The two-way compare: every field desired sets must have the same value live (lists by their merge strategy).</summary>
internal readonly struct TwoWayWalker
{
    private readonly WalkContext _c;

    public TwoWayWalker(WalkContext context) => _c = context;

    /// <summary>Compares the top level of an object.</summary>
    public bool Root(JsonElement d, JsonElement l, SchemaNode schema, ulong ignore)
    {
        var found = false;
        foreach (var p in d.EnumerateObject())
        {
            var name = JsonValues.RawName(p);
            if (WalkContext.IsNeverCompared(name, 0, schema))
            {
                continue;
            }

            var childIgnore = _c.Rules.AdvanceName(ignore, 0, name, out var ignored);
            if (ignored)
            {
                continue;
            }

            var lv = JsonValues.Get(l, name);
            _c.Push(p, lv);
            bool differs;
            if (name.SequenceEqual("metadata"u8))
            {
                differs = Metadata(p.Value, lv, schema.Child(name)!, childIgnore);
            }
            else if (_c.IsSecret && name.SequenceEqual("data"u8))
            {
                differs = new SecretDataWalker(_c).Compare(p.Value, lv, JsonValues.Get(d, "stringData"u8), childIgnore, base64: true);
            }
            else if (_c.IsSecret && name.SequenceEqual("stringData"u8))
            {
                differs = new SecretDataWalker(_c).Compare(p.Value, JsonValues.Get(l, "data"u8), default, childIgnore, base64: false);
            }
            else
            {
                differs = Value(p.Value, lv, schema.Child(name)!, childIgnore, 1);
            }

            _c.Pop();
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

    private bool Metadata(JsonElement d, JsonElement l, SchemaNode schema, ulong ignore)
    {
        if (d.ValueKind != JsonValueKind.Object)
        {
            return Value(d, l, schema, ignore, 1);
        }

        if (l.ValueKind != JsonValueKind.Object)
        {
            return !JsonValues.IsEmpty(d) && _c.Report(FieldChangeKind.Added, d, default);
        }

        var found = false;
        foreach (var p in d.EnumerateObject())
        {
            var name = JsonValues.RawName(p);
            if (WalkContext.IsServerOwnedMetadata(name))
            {
                continue;
            }

            if (Child(p, l, name, schema, ignore, 1))
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

    private bool Child(JsonProperty p, JsonElement l, ReadOnlySpan<byte> name, SchemaNode schema, ulong ignore, int depth, bool presenceMatters = false)
    {
        var childIgnore = _c.Rules.AdvanceName(ignore, depth, name, out var ignored);
        if (ignored)
        {
            return false;
        }

        var lv = JsonValues.Get(l, name);
        _c.Push(p, lv);
        bool differs;
        if (presenceMatters && p.Value.ValueKind == JsonValueKind.Object && !JsonValues.Exists(lv))
        {
            differs = _c.Report(FieldChangeKind.Added, p.Value, default);
        }
        else
        {
            differs = Value(p.Value, lv, schema.Child(name)!, childIgnore, depth + 1);
        }

        _c.Pop();
        return differs;
    }

    /// <summary>Compares one desired value with the live value at the same place.</summary>
    public bool Value(JsonElement d, JsonElement l, SchemaNode schema, ulong ignore, int depth)
    {
        switch (d.ValueKind)
        {
            case JsonValueKind.Undefined:
            case JsonValueKind.Null:
                return false;
            case JsonValueKind.Object:
                if (!JsonValues.Exists(l))
                {
                    return !JsonValues.IsEmpty(d) && _c.Report(FieldChangeKind.Added, d, default);
                }

                if (l.ValueKind != JsonValueKind.Object)
                {
                    return _c.Report(FieldChangeKind.Changed, d, l);
                }

                var found = false;
                foreach (var p in d.EnumerateObject())
                {
                    if (Child(p, l, JsonValues.RawName(p), schema, ignore, depth, schema.ObjectPresenceMatters))
                    {
                        found = true;
                        if (_c.Detecting)
                        {
                            return true;
                        }
                    }
                }

                return found;
            case JsonValueKind.Array:
                if (!JsonValues.Exists(l))
                {
                    return d.GetArrayLength() != 0 && _c.Report(FieldChangeKind.Added, d, default);
                }

                if (l.ValueKind != JsonValueKind.Array)
                {
                    return _c.Report(FieldChangeKind.Changed, d, l);
                }

                return schema.ListKind switch
                {
                    ListKind.Map => MapList(d, l, schema, ignore, depth),
                    ListKind.Set => SetList(d, l, ignore, depth),
                    _ => AtomicList(d, l, schema, ignore, depth),
                };
            default:
                if (!JsonValues.Exists(l))
                {
                    return !JsonValues.IsEmpty(d) && _c.Report(FieldChangeKind.Added, d, default);
                }

                var equal = schema.Scalar == ScalarKind.Quantity ? JsonValues.QuantityEquals(d, l) : JsonValues.ScalarEquals(d, l);
                return !equal && _c.Report(FieldChangeKind.Changed, d, l);
        }
    }

    private bool AtomicList(JsonElement d, JsonElement l, SchemaNode schema, ulong ignore, int depth)
    {
        if (d.GetArrayLength() != l.GetArrayLength())
        {
            return _c.Report(FieldChangeKind.Changed, d, l);
        }

        var items = schema.Items ?? SchemaNode.Generic;
        var found = false;
        var index = 0;
        using var de = d.EnumerateArray();
        using var le = l.EnumerateArray();
        while (de.MoveNext() && le.MoveNext())
        {
            var childIgnore = _c.Rules.AdvanceIndex(ignore, depth, index, out var ignored);
            if (!ignored)
            {
                _c.PushIndex(index, le.Current, index);
                var differs = Value(de.Current, le.Current, items, childIgnore, depth + 1);
                _c.Pop();
                if (differs)
                {
                    found = true;
                    if (_c.Detecting)
                    {
                        return true;
                    }
                }
            }

            index++;
        }

        return found;
    }

    private bool SetList(JsonElement d, JsonElement l, ulong ignore, int depth)
    {
        var found = false;
        var index = 0;
        foreach (var item in d.EnumerateArray())
        {
            _c.Rules.AdvanceIndex(ignore, depth, index, out var ignored);
            if (!ignored && JsonValues.Exists(item) && ListItemPairing.IndexOf(l, item) < 0)
            {
                _c.PushIndex(index, default, -1);
                _c.Report(FieldChangeKind.Added, item, default);
                _c.Pop();
                found = true;
                if (_c.Detecting)
                {
                    return true;
                }
            }

            index++;
        }

        return found;
    }

    private bool MapList(JsonElement d, JsonElement l, SchemaNode schema, ulong ignore, int depth)
    {
        var items = schema.Items ?? SchemaNode.Generic;
        var found = false;
        var index = 0;
        foreach (var item in d.EnumerateArray())
        {
            var childIgnore = _c.Rules.AdvanceIndex(ignore, depth, index, out var ignored);
            if (!ignored)
            {
                var liveIndex = ListItemPairing.Pair(d, l, item, schema, index);
                var liveItem = liveIndex >= 0 ? l[liveIndex] : default;
                _c.PushIndex(index, liveItem, liveIndex);
                var differs = liveIndex < 0
                    ? !JsonValues.IsEmpty(item) && _c.Report(FieldChangeKind.Added, item, default)
                    : Value(item, liveItem, items, childIgnore, depth + 1);
                _c.Pop();
                if (differs)
                {
                    found = true;
                    if (_c.Detecting)
                    {
                        return true;
                    }
                }
            }

            index++;
        }

        return found;
    }
}
