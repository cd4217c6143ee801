using System.Text.Json;

namespace GitOps.Sdk.Diff;

/// <summary>
/// Compares a Secret's <c>data</c> and <c>stringData</c> by their decoded bytes (<c>stringData</c> is written over
/// <c>data</c> by the server), and finds the keys a previous apply set that desired no longer sets.
/// </summary>
internal readonly struct SecretDataWalker
{
    private readonly WalkContext _c;

    public SecretDataWalker(WalkContext context) => _c = context;

    public bool Compare(JsonElement d, JsonElement liveData, JsonElement desiredStringData, ulong ignore, bool base64)
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

            _c.Rules.AdvanceName(ignore, 1, name, out var ignored);
            if (ignored || p.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var lv = JsonValues.Get(liveData, name);
            bool differs;
            _c.Push(p, lv);
            if (!JsonValues.Exists(lv))
            {
                differs = !JsonValues.IsEmpty(p.Value) && _c.Report(FieldChangeKind.Added, p.Value, default);
            }
            else
            {
                var equal = base64 ? JsonValues.Base64Equals(p.Value, lv) : JsonValues.Base64MatchesString(lv, p.Value);
                differs = !equal && _c.Report(FieldChangeKind.Changed, p.Value, lv);
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

    public bool RemovedOwnedKeys(JsonElement owned, ReadOnlySpan<byte> section, JsonElement d, JsonElement l, ulong ignore)
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

            _c.Rules.AdvanceName(ignore, 1, key, out var ignored);
            if (ignored || !ReportRemovedSecretKey(section, key, desiredData, desiredStringData, liveData))
            {
                continue;
            }

            found = true;
            if (_c.Detecting)
            {
                return true;
            }
        }

        return found;
    }

    public bool RemovedLastAppliedKeys(JsonElement last, ReadOnlySpan<byte> section, JsonElement d, JsonElement l, ulong ignore)
    {
        if (last.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var desiredData = JsonValues.Get(d, "data"u8);
        var desiredStringData = JsonValues.Get(d, "stringData"u8);
        var liveData = JsonValues.Get(l, "data"u8);
        var sectionIgnore = _c.Rules.AdvanceName(ignore, 0, section, out var sectionIgnored);
        if (sectionIgnored)
        {
            return false;
        }

        var found = false;
        foreach (var p in last.EnumerateObject())
        {
            var key = JsonValues.RawName(p);
            _c.Rules.AdvanceName(sectionIgnore, 1, key, out var ignored);
            if (ignored || !ReportRemovedSecretKey(section, key, desiredData, desiredStringData, liveData))
            {
                continue;
            }

            found = true;
            if (_c.Detecting)
            {
                return true;
            }
        }

        return found;
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

        _c.PushName(section, liveData);
        _c.PushName(key, lv);
        _c.Report(FieldChangeKind.Removed, default, lv);
        _c.Pop();
        _c.Pop();
        return true;
    }
}
