using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GitOps.Sdk.Diff;

/// <summary>
/// Collect mode of <see cref="DiffWalker"/>: keeps the current path (as a JSON pointer into desired and as steps through
/// live), and turns each difference into a <see cref="FieldChange"/> with masking, attribution and manager-based ignores.
/// </summary>
internal sealed class ChangeCollector
{
    private readonly List<LiveStep> _live = [];
    private readonly ManagedFieldsEntry[] _managers;
    private readonly CompiledIgnoreRules _rules;
    private readonly ulong _ignoredManagers;
    private readonly bool _isSecret;
    private byte[] _names = new byte[1024];
    private int _namesLength;

    public ChangeCollector(ManagedFieldsEntry[] managers, CompiledIgnoreRules rules, ulong ignoredManagers, bool isSecret)
    {
        _managers = managers;
        _rules = rules;
        _ignoredManagers = ignoredManagers;
        _isSecret = isSecret;
    }

    public List<FieldChange> Changes { get; } = [];

    /// <summary>Enters a field; its raw name is kept as bytes and only turned into text when a change is reported.</summary>
    public void PushName(ReadOnlySpan<byte> rawName, JsonElement live)
    {
        if (_namesLength + rawName.Length > _names.Length)
        {
            Array.Resize(ref _names, Math.Max(_names.Length * 2, _namesLength + rawName.Length));
        }

        rawName.CopyTo(_names.AsSpan(_namesLength));
        _live.Add(new LiveStep(_namesLength, rawName.Length, default, -1, -1));
        _namesLength += rawName.Length;
    }

    public void PushIndex(int desiredIndex, JsonElement liveItem, int liveIndex) =>
        _live.Add(new LiveStep(_namesLength, -1, liveItem, liveIndex, desiredIndex));

    public void Pop()
    {
        var step = _live[^1];
        _live.RemoveAt(_live.Count - 1);
        _namesLength = step.NameStart;
    }

    private string Segment(LiveStep step) => step.NameLength < 0
        ? step.DesiredIndex.ToString(CultureInfo.InvariantCulture)
        : JsonValues.EscapePointerSegment(Name(step));

    private string Name(LiveStep step)
    {
        var raw = _names.AsSpan(step.NameStart, step.NameLength);
        return raw.IndexOf((byte)'\\') >= 0 ? JsonValues.Unescape(raw) : Encoding.UTF8.GetString(raw);
    }

    /// <summary>Records a difference at the current path; returns <see langword="false"/> when a manager rule ignores it.</summary>
    public bool Report(FieldChangeKind kind, JsonElement desired, JsonElement live)
    {
        var ignored = false;
        var attribution = kind == FieldChangeKind.Added ? null : Attribute(out ignored);
        if (ignored)
        {
            return false;
        }

        var segments = _live.Select(Segment).ToArray();
        var path = segments.Length == 0 ? "/" : "/" + string.Join('/', segments);
        var masked = _isSecret && segments.Length > 0 && segments[0] is "data" or "stringData";
        Changes.Add(new FieldChange(path, kind, Text(desired, masked, segments.Length == 1), Text(live, masked, segments.Length == 1))
        {
            Attribution = attribution,
        });
        return true;
    }

    private static string? Text(JsonElement value, bool masked, bool wholeSection)
    {
        if (!JsonValues.Exists(value))
        {
            return null;
        }

        if (!masked)
        {
            return value.GetRawText();
        }

        if (wholeSection && value.ValueKind == JsonValueKind.Object)
        {
            return SecretMasking.MaskedMapText(value);
        }

        return SecretMasking.Mask;
    }

    /// <summary>Finds the manager that owns the current live path (the deepest exact or whole-value owner; ties go to the latest write).</summary>
    private FieldAttribution? Attribute(out bool ignored)
    {
        ignored = false;
        ManagedFieldsEntry? best = null;
        var bestDepth = -1;
        foreach (var entry in _managers)
        {
            var depth = OwnedDepth(entry.Fields);
            if (depth < 0)
            {
                continue;
            }

            if (_ignoredManagers != 0 && _rules.IsIgnoredManager(_ignoredManagers, entry.Manager))
            {
                ignored = true;
            }

            if (depth > bestDepth || (depth == bestDepth && (entry.Time ?? DateTimeOffset.MinValue) > (best!.Time ?? DateTimeOffset.MinValue)))
            {
                best = entry;
                bestDepth = depth;
            }
        }

        return best is null ? null : new FieldAttribution(best.Manager, best.Operation, best.Time, best.Subresource);
    }

    /// <summary>
    /// Returns how deep the manager's set follows the current path when it owns the value there (the whole path is in
    /// the set, or an ancestor on it is a leaf that owns its whole value, like an atomic list); -1 when it does not.
    /// </summary>
    private int OwnedDepth(JsonElement fields)
    {
        var node = fields;
        var leafDepth = -1;
        for (var i = 0; i < _live.Count; i++)
        {
            if (node.ValueKind != JsonValueKind.Object)
            {
                return leafDepth;
            }

            var child = FindChild(node, _live[i]);
            if (child.ValueKind == JsonValueKind.Undefined)
            {
                return leafDepth;
            }

            node = child;
            if (i == _live.Count - 1 || IsLeaf(child))
            {
                leafDepth = i;
                if (IsLeaf(child))
                {
                    return i;
                }
            }
        }

        return leafDepth;
    }

    private static bool IsLeaf(JsonElement node)
    {
        if (node.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        using var e = node.EnumerateObject();
        return !e.MoveNext();
    }

    private JsonElement FindChild(JsonElement node, LiveStep step)
    {
        if (step.NameLength >= 0)
        {
            return node.TryGetProperty("f:" + Name(step), out var field) ? field : default;
        }

        foreach (var p in node.EnumerateObject())
        {
            var kind = FieldsV1.Classify(JsonValues.RawName(p), out var rest);
            var match = kind switch
            {
                FieldsV1.ElementKind.Key => FieldsV1.KeyMatches(rest, step.Item, null),
                FieldsV1.ElementKind.Value => JsonValues.Exists(step.Item) && FieldsV1.ValueMatches(rest, step.Item),
                FieldsV1.ElementKind.Index => FieldsV1.TryParseIndex(rest, out var n) && n == step.Index,
                _ => false,
            };
            if (match)
            {
                return p.Value;
            }
        }

        return default;
    }

    /// <summary>One step of the current path: a field (its name in the name buffer) or a list item (desired and live positions).</summary>
    private readonly record struct LiveStep(int NameStart, int NameLength, JsonElement Item, int Index, int DesiredIndex);
}

/// <summary>One entry of <c>metadata.managedFields</c>.</summary>
internal sealed record ManagedFieldsEntry(string Manager, string Operation, DateTimeOffset? Time, string? Subresource, JsonElement Fields)
{
    /// <summary>Reads every entry of a live object's <c>managedFields</c>.</summary>
    public static ManagedFieldsEntry[] ReadAll(JsonElement live)
    {
        var list = JsonValues.Get(JsonValues.Get(live, "metadata"u8), "managedFields"u8);
        if (list.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var result = new List<ManagedFieldsEntry>();
        foreach (var e in list.EnumerateArray())
        {
            var fields = JsonValues.Get(e, "fieldsV1"u8);
            if (fields.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var manager = JsonValues.Get(e, "manager"u8);
            var operation = JsonValues.Get(e, "operation"u8);
            var time = JsonValues.Get(e, "time"u8);
            var subresource = JsonValues.Get(e, "subresource"u8);
            result.Add(new ManagedFieldsEntry(
                manager.ValueKind == JsonValueKind.String ? manager.GetString()! : string.Empty,
                operation.ValueKind == JsonValueKind.String ? operation.GetString()! : string.Empty,
                time.ValueKind == JsonValueKind.String
                    && DateTimeOffset.TryParse(time.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null,
                subresource.ValueKind == JsonValueKind.String && subresource.GetString() is { Length: > 0 } s ? s : null,
                fields));
        }

        return [.. result];
    }

    /// <summary>Finds the <c>fieldsV1</c> of <paramref name="manager"/>'s apply entry on the main resource, without allocating.</summary>
    public static JsonElement FindApplied(JsonElement live, string manager)
    {
        var list = JsonValues.Get(JsonValues.Get(live, "metadata"u8), "managedFields"u8);
        if (list.ValueKind != JsonValueKind.Array)
        {
            return default;
        }

        foreach (var e in list.EnumerateArray())
        {
            if (e.ValueKind == JsonValueKind.Object
                && e.TryGetProperty("manager"u8, out var m) && m.ValueKind == JsonValueKind.String && m.ValueEquals(manager)
                && e.TryGetProperty("operation"u8, out var op) && op.ValueKind == JsonValueKind.String && op.ValueEquals("Apply"u8)
                && !(e.TryGetProperty("subresource"u8, out var sub) && sub.ValueKind == JsonValueKind.String && JsonValues.RawString(sub).Length > 0)
                && e.TryGetProperty("fieldsV1"u8, out var fields) && fields.ValueKind == JsonValueKind.Object)
            {
                return fields;
            }
        }

        return default;
    }
}
