using System.Text.Json;

namespace GitOps.Sdk.Diff;

/// <summary>The three-way compare from the last-applied annotation: a field the last apply set that desired lacks and live still has was removed from desired.</summary>
internal readonly struct LastAppliedWalker
{
    private readonly WalkContext _c;

    public LastAppliedWalker(WalkContext context) => _c = context;

    /// <summary>Walks the last-applied object: a field it set that desired lacks and live still has was removed from desired.</summary>
    public bool Walk(JsonElement last, JsonElement d, JsonElement l, SchemaNode schema, ulong ignore, int depth)
    {
        if (last.ValueKind == JsonValueKind.Object && d.ValueKind is JsonValueKind.Object or JsonValueKind.Undefined)
        {
            var found = false;
            foreach (var p in last.EnumerateObject())
            {
                var name = JsonValues.RawName(p);
                if (WalkContext.IsNeverCompared(name, depth, schema) || !JsonValues.Exists(p.Value))
                {
                    continue;
                }

                bool differs;
                if (_c.IsSecret && depth == 0 && (name.SequenceEqual("stringData"u8) || name.SequenceEqual("data"u8)))
                {
                    differs = new SecretDataWalker(_c).RemovedLastAppliedKeys(p.Value, name, d, l, ignore);
                }
                else
                {
                    var childIgnore = _c.Rules.AdvanceName(ignore, depth, name, out var ignored);
                    if (ignored)
                    {
                        continue;
                    }

                    var dv = JsonValues.Get(d, name);
                    var lv = JsonValues.Get(l, name);
                    _c.PushName(name, lv);
                    var childSchema = schema.Child(name)!;
                    if (JsonValues.Exists(dv))
                    {
                        differs = Walk(p.Value, dv, lv, childSchema, childIgnore, depth + 1);
                    }
                    else if (!JsonValues.Exists(lv))
                    {
                        differs = false;
                    }
                    else if ((p.Value.ValueKind == JsonValueKind.Object && lv.ValueKind == JsonValueKind.Object)
                        || (p.Value.ValueKind == JsonValueKind.Array && lv.ValueKind == JsonValueKind.Array && childSchema.ListKind != ListKind.Atomic))
                    {
                        // The last apply set parts of a map or keyed list that others may share: only those parts were removed.
                        differs = Walk(p.Value, default, lv, childSchema, childIgnore, depth + 1);
                    }
                    else
                    {
                        differs = _c.Report(FieldChangeKind.Removed, default, lv);
                    }
                    _c.Pop();
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

        if (last.ValueKind == JsonValueKind.Array && d.ValueKind is JsonValueKind.Array or JsonValueKind.Undefined && schema.ListKind != ListKind.Atomic)
        {
            var found = false;
            var position = 0;
            foreach (var item in last.EnumerateArray())
            {
                var desiredIndex = ListItemPairing.FindSame(d, item, schema);
                bool differs;
                if (desiredIndex >= 0)
                {
                    var childIgnore = _c.Rules.AdvanceIndex(ignore, depth, desiredIndex, out var ignored);
                    var liveIndex = ListItemPairing.FindSame(l, item, schema);
                    var liveItem = liveIndex >= 0 ? l[liveIndex] : default;
                    _c.PushIndex(desiredIndex, liveItem, liveIndex);
                    differs = !ignored && schema.ListKind == ListKind.Map
                        && Walk(item, d[desiredIndex], liveItem, schema.Items ?? SchemaNode.Generic, childIgnore, depth + 1);
                    _c.Pop();
                }
                else
                {
                    var liveIndex = ListItemPairing.FindSame(l, item, schema);
                    _c.Rules.AdvanceIndex(ignore, depth, liveIndex, out var ignored);
                    if (liveIndex < 0 || ignored)
                    {
                        position++;
                        continue;
                    }

                    var liveItem = l[liveIndex];
                    _c.PushIndex(liveIndex, liveItem, liveIndex);
                    differs = _c.Report(FieldChangeKind.Removed, default, liveItem);
                    _c.Pop();
                }

                position++;
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

        return false;
    }
}
