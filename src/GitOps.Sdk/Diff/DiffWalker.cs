using System.Text.Json;

namespace GitOps.Sdk.Diff;

/// <summary>
/// Walks a desired object against its live counterpart. In detect mode (no <see cref="ChangeCollector"/>) it stops at the
/// first difference and allocates nothing; in collect mode it records every difference with its JSON pointer, live path
/// and attribution. Both modes run the same code, so they cannot disagree about what is drift.
/// </summary>
internal readonly struct DiffWalker
{
    private static readonly byte[] Status = "status"u8.ToArray();

    private readonly CompiledIgnoreRules _rules;
    private readonly ChangeCollector? _collector;
    private readonly bool _isSecret;

    public DiffWalker(CompiledIgnoreRules rules, bool isSecret, ChangeCollector? collector)
    {
        _rules = rules;
        _isSecret = isSecret;
        _collector = collector;
    }

    public bool IsDetecting => _collector is null;

    private bool Detecting => _collector is null;

    // ---- two-way: every field desired sets ----------------------------------------------------------------------

    /// <summary>Compares the top level of an object.</summary>
    public bool Root(JsonElement d, JsonElement l, SchemaNode schema, ulong ignore)
    {
        var found = false;
        foreach (var p in d.EnumerateObject())
        {
            var name = JsonValues.RawName(p);
            if (name.SequenceEqual(Status) || name.SequenceEqual("apiVersion"u8) || name.SequenceEqual("kind"u8))
            {
                continue;
            }

            var childIgnore = _rules.AdvanceName(ignore, 0, name, out var ignored);
            if (ignored)
            {
                continue;
            }

            var lv = JsonValues.Get(l, name);
            Push(p, lv);
            bool differs;
            if (name.SequenceEqual("metadata"u8))
            {
                differs = Metadata(p.Value, lv, schema.Child(name)!, childIgnore);
            }
            else if (_isSecret && name.SequenceEqual("data"u8))
            {
                differs = SecretData(p.Value, lv, JsonValues.Get(d, "stringData"u8), childIgnore, base64: true);
            }
            else if (_isSecret && name.SequenceEqual("stringData"u8))
            {
                differs = SecretData(p.Value, JsonValues.Get(l, "data"u8), default, childIgnore, base64: false);
            }
            else
            {
                differs = Value(p.Value, lv, schema.Child(name)!, childIgnore, 1);
            }

            Pop();
            if (differs)
            {
                found = true;
                if (Detecting)
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
            return !JsonValues.IsEmpty(d) && Report(FieldChangeKind.Added, d, default);
        }

        var found = false;
        foreach (var p in d.EnumerateObject())
        {
            var name = JsonValues.RawName(p);
            if (IsServerOwnedMetadata(name))
            {
                continue;
            }

            if (Child(p, l, name, schema, ignore, 1))
            {
                found = true;
                if (Detecting)
                {
                    return true;
                }
            }
        }

        return found;
    }

    /// <summary>Returns whether a metadata field is written by the server, never by a user.</summary>
    public static bool IsServerOwnedMetadata(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("uid"u8) || name.SequenceEqual("resourceVersion"u8) || name.SequenceEqual("generation"u8)
        || name.SequenceEqual("creationTimestamp"u8) || name.SequenceEqual("managedFields"u8) || name.SequenceEqual("selfLink"u8)
        || name.SequenceEqual("deletionTimestamp"u8) || name.SequenceEqual("deletionGracePeriodSeconds"u8);

    private bool SecretData(JsonElement d, JsonElement liveData, JsonElement desiredStringData, ulong ignore, bool base64)
    {
        if (d.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var found = false;
        foreach (var p in d.EnumerateObject())
        {
            var name = JsonValues.RawName(p);

            // stringData wins over data for the same key: the server writes it over data.
            if (base64 && JsonValues.Exists(JsonValues.Get(desiredStringData, name)))
            {
                continue;
            }

            _rules.AdvanceName(ignore, 1, name, out var ignored);
            if (ignored || p.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var lv = JsonValues.Get(liveData, name);
            bool differs;
            Push(p, lv);
            if (!JsonValues.Exists(lv))
            {
                differs = !JsonValues.IsEmpty(p.Value) && Report(FieldChangeKind.Added, p.Value, default);
            }
            else
            {
                var equal = base64 ? JsonValues.Base64Equals(p.Value, lv) : JsonValues.Base64MatchesString(lv, p.Value);
                differs = !equal && Report(FieldChangeKind.Changed, p.Value, lv);
            }

            Pop();
            if (differs)
            {
                found = true;
                if (Detecting)
                {
                    return true;
                }
            }
        }

        return found;
    }

    private bool Child(JsonProperty p, JsonElement l, ReadOnlySpan<byte> name, SchemaNode schema, ulong ignore, int depth, bool presenceMatters = false)
    {
        var childIgnore = _rules.AdvanceName(ignore, depth, name, out var ignored);
        if (ignored)
        {
            return false;
        }

        var lv = JsonValues.Get(l, name);
        Push(p, lv);
        bool differs;
        if (presenceMatters && p.Value.ValueKind == JsonValueKind.Object && !JsonValues.Exists(lv))
        {
            differs = Report(FieldChangeKind.Added, p.Value, default);
        }
        else
        {
            differs = Value(p.Value, lv, schema.Child(name)!, childIgnore, depth + 1);
        }

        Pop();
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
                    return !JsonValues.IsEmpty(d) && Report(FieldChangeKind.Added, d, default);
                }

                if (l.ValueKind != JsonValueKind.Object)
                {
                    return Report(FieldChangeKind.Changed, d, l);
                }

                var found = false;
                foreach (var p in d.EnumerateObject())
                {
                    if (Child(p, l, JsonValues.RawName(p), schema, ignore, depth, schema.ObjectPresenceMatters))
                    {
                        found = true;
                        if (Detecting)
                        {
                            return true;
                        }
                    }
                }

                return found;
            case JsonValueKind.Array:
                if (!JsonValues.Exists(l))
                {
                    return d.GetArrayLength() != 0 && Report(FieldChangeKind.Added, d, default);
                }

                if (l.ValueKind != JsonValueKind.Array)
                {
                    return Report(FieldChangeKind.Changed, d, l);
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
                    return !JsonValues.IsEmpty(d) && Report(FieldChangeKind.Added, d, default);
                }

                var equal = schema.Scalar == ScalarKind.Quantity ? JsonValues.QuantityEquals(d, l) : JsonValues.ScalarEquals(d, l);
                return !equal && Report(FieldChangeKind.Changed, d, l);
        }
    }

    private bool AtomicList(JsonElement d, JsonElement l, SchemaNode schema, ulong ignore, int depth)
    {
        if (d.GetArrayLength() != l.GetArrayLength())
        {
            return Report(FieldChangeKind.Changed, d, l);
        }

        var items = schema.Items ?? SchemaNode.Generic;
        var found = false;
        var index = 0;
        using var de = d.EnumerateArray();
        using var le = l.EnumerateArray();
        while (de.MoveNext() && le.MoveNext())
        {
            var childIgnore = _rules.AdvanceIndex(ignore, depth, index, out var ignored);
            if (!ignored)
            {
                PushIndex(index, le.Current, index);
                var differs = Value(de.Current, le.Current, items, childIgnore, depth + 1);
                Pop();
                if (differs)
                {
                    found = true;
                    if (Detecting)
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
            _rules.AdvanceIndex(ignore, depth, index, out var ignored);
            if (!ignored && JsonValues.Exists(item) && IndexOf(l, item) < 0)
            {
                PushIndex(index, default, -1);
                Report(FieldChangeKind.Added, item, default);
                Pop();
                found = true;
                if (Detecting)
                {
                    return true;
                }
            }

            index++;
        }

        return found;
    }

    private static int IndexOf(JsonElement list, JsonElement value)
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

    private bool MapList(JsonElement d, JsonElement l, SchemaNode schema, ulong ignore, int depth)
    {
        var items = schema.Items ?? SchemaNode.Generic;
        var found = false;
        var index = 0;
        foreach (var item in d.EnumerateArray())
        {
            var childIgnore = _rules.AdvanceIndex(ignore, depth, index, out var ignored);
            if (!ignored)
            {
                var liveIndex = Pair(d, l, item, schema, index);
                var liveItem = liveIndex >= 0 ? l[liveIndex] : default;
                PushIndex(index, liveItem, liveIndex);
                var differs = liveIndex < 0
                    ? !JsonValues.IsEmpty(item) && Report(FieldChangeKind.Added, item, default)
                    : Value(item, liveItem, items, childIgnore, depth + 1);
                Pop();
                if (differs)
                {
                    found = true;
                    if (Detecting)
                    {
                        return true;
                    }
                }
            }

            index++;
        }

        return found;
    }

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
    internal static int FindByKey(JsonElement live, JsonElement item, SchemaNode schema, int position)
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

        var i = 0;
        foreach (var candidate in live.EnumerateArray())
        {
            if (KeysEqual(item, candidate, schema))
            {
                return i;
            }

            i++;
        }

        return -1;
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

    // ---- three-way: fields the previous apply set that desired no longer sets ------------------------------------

    /// <summary>Walks our field manager's <c>fieldsV1</c> set: an owned field that desired lacks and live still has was removed from desired.</summary>
    public bool OwnedFields(JsonElement owned, JsonElement d, JsonElement l, SchemaNode schema, ulong ignore, int depth)
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
                    differs = OwnedItem(p.Value, rest, kind, d, l, schema, ignore, depth);
                    break;
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
                if (Detecting)
                {
                    return true;
                }
            }
        }

        return found;
    }

    private bool OwnedField(JsonElement owned, ReadOnlySpan<byte> name, JsonElement d, JsonElement l, SchemaNode schema, ulong ignore, int depth)
    {
        if (depth == 0 && (name.SequenceEqual(Status) || name.SequenceEqual("apiVersion"u8) || name.SequenceEqual("kind"u8)))
        {
            return false;
        }

        if (depth == 1 && schema.Name == "metadata" && IsServerOwnedMetadata(name))
        {
            return false;
        }

        var childIgnore = _rules.AdvanceName(ignore, depth, name, out var ignored);
        if (ignored)
        {
            return false;
        }

        var dv = JsonValues.Get(d, name);
        var lv = JsonValues.Get(l, name);
        if (_isSecret && depth == 0 && (name.SequenceEqual("stringData"u8) || name.SequenceEqual("data"u8)))
        {
            return OwnedSecretData(owned, name, d, l, childIgnore);
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
                PushName(name, lv);
                var partly = OwnedFields(owned, default, lv, schema.Child(name)!, childIgnore, depth + 1);
                Pop();
                return partly;
            }

            PushName(name, lv);
            var removed = Report(FieldChangeKind.Removed, default, lv);
            Pop();
            return removed;
        }

        if (owned.ValueKind != JsonValueKind.Object || dv.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            return false;
        }

        PushName(name, lv);
        var differs = OwnedFields(owned, dv, lv, schema.Child(name)!, childIgnore, depth + 1);
        Pop();
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

    private bool OwnedSecretData(JsonElement owned, ReadOnlySpan<byte> section, JsonElement d, JsonElement l, ulong ignore)
    {
        var desiredData = JsonValues.Get(d, "data"u8);
        var desiredStringData = JsonValues.Get(d, "stringData"u8);
        var liveData = JsonValues.Get(l, "data"u8);
        var found = false;
        foreach (var p in owned.EnumerateObject())
        {
            if (FieldsV1.Classify(JsonValues.RawName(p), out var key) != FieldsV1.ElementKind.Field)
            {
                continue;
            }

            _rules.AdvanceName(ignore, 1, key, out var ignored);
            if (ignored || !ReportRemovedSecretKey(section, key, desiredData, desiredStringData, liveData))
            {
                continue;
            }

            found = true;
            if (Detecting)
            {
                return true;
            }
        }

        return found;
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

            var childIgnore = _rules.AdvanceIndex(ignore, depth, desiredIndex, out var ignored);
            if (ignored)
            {
                return false;
            }

            var desiredItem = d[desiredIndex];
            var liveIndex = l.ValueKind == JsonValueKind.Array ? FindOwned(l, rest, kind, schema) : -1;
            var liveItem = liveIndex >= 0 ? l[liveIndex] : default;
            PushIndex(desiredIndex, liveItem, liveIndex);
            var differs = OwnedFields(owned, desiredItem, liveItem, schema.Items ?? SchemaNode.Generic, childIgnore, depth + 1);
            Pop();
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

        _rules.AdvanceIndex(ignore, depth, removedIndex, out var removedIgnored);
        if (removedIgnored)
        {
            return false;
        }

        var removedItem = l[removedIndex];
        PushIndex(removedIndex, removedItem, removedIndex);
        var reported = Report(FieldChangeKind.Removed, default, removedItem);
        Pop();
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

    /// <summary>Walks the last-applied object: a field it set that desired lacks and live still has was removed from desired.</summary>
    public bool LastApplied(JsonElement last, JsonElement d, JsonElement l, SchemaNode schema, ulong ignore, int depth)
    {
        if (last.ValueKind == JsonValueKind.Object && d.ValueKind is JsonValueKind.Object or JsonValueKind.Undefined)
        {
            var found = false;
            foreach (var p in last.EnumerateObject())
            {
                var name = JsonValues.RawName(p);
                if ((depth == 0 && (name.SequenceEqual(Status) || name.SequenceEqual("apiVersion"u8) || name.SequenceEqual("kind"u8)))
                    || (depth == 1 && schema.Name == "metadata" && IsServerOwnedMetadata(name))
                    || !JsonValues.Exists(p.Value))
                {
                    continue;
                }

                bool differs;
                if (_isSecret && depth == 0 && (name.SequenceEqual("stringData"u8) || name.SequenceEqual("data"u8)))
                {
                    differs = LastAppliedSecretData(p.Value, name, d, l, ignore);
                }
                else
                {
                    var childIgnore = _rules.AdvanceName(ignore, depth, name, out var ignored);
                    if (ignored)
                    {
                        continue;
                    }

                    var dv = JsonValues.Get(d, name);
                    var lv = JsonValues.Get(l, name);
                    PushName(name, lv);
                    var childSchema = schema.Child(name)!;
                    if (JsonValues.Exists(dv))
                    {
                        differs = LastApplied(p.Value, dv, lv, childSchema, childIgnore, depth + 1);
                    }
                    else if (!JsonValues.Exists(lv))
                    {
                        differs = false;
                    }
                    else if ((p.Value.ValueKind == JsonValueKind.Object && lv.ValueKind == JsonValueKind.Object)
                        || (p.Value.ValueKind == JsonValueKind.Array && lv.ValueKind == JsonValueKind.Array && childSchema.ListKind != ListKind.Atomic))
                    {
                        // The last apply set parts of a map or keyed list that others may share: only those parts were removed.
                        differs = LastApplied(p.Value, default, lv, childSchema, childIgnore, depth + 1);
                    }
                    else
                    {
                        differs = Report(FieldChangeKind.Removed, default, lv);
                    }
                    Pop();
                }

                if (differs)
                {
                    found = true;
                    if (Detecting)
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
                var desiredIndex = d.ValueKind != JsonValueKind.Array ? -1
                    : schema.ListKind == ListKind.Map ? FindByKeyStrict(d, item, schema) : IndexOf(d, item);
                bool differs;
                if (desiredIndex >= 0)
                {
                    var childIgnore = _rules.AdvanceIndex(ignore, depth, desiredIndex, out var ignored);
                    var liveIndex = l.ValueKind == JsonValueKind.Array
                        ? (schema.ListKind == ListKind.Map ? FindByKeyStrict(l, item, schema) : IndexOf(l, item))
                        : -1;
                    var liveItem = liveIndex >= 0 ? l[liveIndex] : default;
                    PushIndex(desiredIndex, liveItem, liveIndex);
                    differs = !ignored && schema.ListKind == ListKind.Map
                        && LastApplied(item, d[desiredIndex], liveItem, schema.Items ?? SchemaNode.Generic, childIgnore, depth + 1);
                    Pop();
                }
                else
                {
                    var liveIndex = l.ValueKind == JsonValueKind.Array
                        ? (schema.ListKind == ListKind.Map ? FindByKeyStrict(l, item, schema) : IndexOf(l, item))
                        : -1;
                    _rules.AdvanceIndex(ignore, depth, liveIndex, out var ignored);
                    if (liveIndex < 0 || ignored)
                    {
                        position++;
                        continue;
                    }

                    var liveItem = l[liveIndex];
                    PushIndex(liveIndex, liveItem, liveIndex);
                    differs = Report(FieldChangeKind.Removed, default, liveItem);
                    Pop();
                }

                position++;
                if (differs)
                {
                    found = true;
                    if (Detecting)
                    {
                        return true;
                    }
                }
            }

            return found;
        }

        return false;
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

    /// <summary>
    /// Reports <c>section/key</c> of a Secret as removed when desired sets the key in neither <c>data</c> nor
    /// <c>stringData</c> and live still has it; shared by the managedFields and last-applied three-way paths.
    /// </summary>
    private bool ReportRemovedSecretKey(ReadOnlySpan<byte> section, ReadOnlySpan<byte> key, JsonElement desiredData, JsonElement desiredStringData, JsonElement liveData)
    {
        if (JsonValues.Exists(JsonValues.Get(desiredData, key)) || JsonValues.Exists(JsonValues.Get(desiredStringData, key)))
        {
            return false;
        }

        var lv = JsonValues.Get(liveData, key);
        if (!JsonValues.Exists(lv))
        {
            return false;
        }

        PushName(section, liveData);
        PushName(key, lv);
        Report(FieldChangeKind.Removed, default, lv);
        Pop();
        Pop();
        return true;
    }

    private bool LastAppliedSecretData(JsonElement last, ReadOnlySpan<byte> section, JsonElement d, JsonElement l, ulong ignore)
    {
        if (last.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var desiredData = JsonValues.Get(d, "data"u8);
        var desiredStringData = JsonValues.Get(d, "stringData"u8);
        var liveData = JsonValues.Get(l, "data"u8);
        var sectionIgnore = _rules.AdvanceName(ignore, 0, section, out var sectionIgnored);
        if (sectionIgnored)
        {
            return false;
        }

        var found = false;
        foreach (var p in last.EnumerateObject())
        {
            var key = JsonValues.RawName(p);
            _rules.AdvanceName(sectionIgnore, 1, key, out var ignored);
            if (ignored || !ReportRemovedSecretKey(section, key, desiredData, desiredStringData, liveData))
            {
                continue;
            }

            found = true;
            if (Detecting)
            {
                return true;
            }
        }

        return found;
    }

    // ---- recording ----------------------------------------------------------------------------------------------

    private void Push(JsonProperty p, JsonElement live) => _collector?.PushName(JsonValues.RawName(p), live);

    private void PushName(ReadOnlySpan<byte> rawName, JsonElement live) => _collector?.PushName(rawName, live);

    private void PushIndex(int desiredIndex, JsonElement liveItem, int liveIndex) => _collector?.PushIndex(desiredIndex, liveItem, liveIndex);

    private void Pop() => _collector?.Pop();

    private bool Report(FieldChangeKind kind, JsonElement desired, JsonElement live) =>
        _collector is null || _collector.Report(kind, desired, live);
}
