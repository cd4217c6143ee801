using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Diff;

/// <summary>
/// Builds the normalized objects of a diff for display: server-owned metadata and <c>status</c> removed, the live side
/// reduced to the fields the comparison looked at (plus fields removed from desired), values that compare equal shown
/// in one spelling, ignored fields left out of both, and Secret values masked.
/// </summary>
internal sealed class DisplayProjection
{
    private readonly DiffWalker _equality;
    private readonly CompiledIgnoreRules _rules;
    private readonly bool _isSecret;

    public DisplayProjection(CompiledIgnoreRules rules, bool isSecret)
    {
        _rules = rules;
        _isSecret = isSecret;
        _equality = new DiffWalker(rules, isSecret, collector: null);
    }

    /// <summary>Projects an existing pair.</summary>
    public (JsonObject Desired, JsonObject Live) Project(KubeObject desired, KubeObject live, SchemaNode schema, ulong ignore, IReadOnlyList<FieldChange> changes)
    {
        var d = desired.Json;
        var l = live.Json;
        var outD = new JsonObject();
        var outL = new JsonObject();
        foreach (var p in d.EnumerateObject())
        {
            var name = p.Name;
            if (name is "status")
            {
                continue;
            }

            if (name is "apiVersion" or "kind")
            {
                outD[name] = JsonNode.Parse(p.Value.GetRawText());
                outL[name] = JsonNode.Parse(p.Value.GetRawText());
                continue;
            }

            var childIgnore = _rules.AdvanceName(ignore, 0, JsonValues.RawName(p), out var ignored);
            if (ignored)
            {
                continue;
            }

            if (_isSecret && name is "data" or "stringData")
            {
                continue;
            }

            var lv = JsonValues.Get(l, name);
            var (pd, pl) = name == "metadata"
                ? ProjectMetadata(p.Value, lv, schema.Child("metadata"u8)!, childIgnore)
                : Project(p.Value, lv, schema.Child(JsonValues.RawName(p))!, childIgnore, 1);
            Set(outD, name, pd);
            Set(outL, name, pl);
        }

        if (_isSecret)
        {
            ProjectSecretData(d, l, outD, outL, ignore);
        }

        foreach (var change in changes)
        {
            if (change.Kind == FieldChangeKind.Removed)
            {
                AddRemoved(outL, change);
            }
        }

        return (outD, outL);
    }

    /// <summary>Normalizes one object on its own (create and prune): server-owned metadata and status removed, Secret values masked.</summary>
    public static JsonObject Strip(KubeObject obj)
    {
        var node = obj.ToJsonObject();
        node.Remove("status");
        if (node["metadata"] is JsonObject metadata)
        {
            foreach (var name in (ReadOnlySpan<string>)["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"])
            {
                metadata.Remove(name);
            }
        }

        if (obj.IsSecret)
        {
            MergeStringData(node);
            SecretMasking.MaskSecret(node);
        }

        return node;
    }

    private static void MergeStringData(JsonObject secret)
    {
        if (secret["stringData"] is not JsonObject stringData)
        {
            return;
        }

        if (secret["data"] is not JsonObject data)
        {
            data = [];
            secret["data"] = data;
        }

        foreach (var key in stringData.Select(p => p.Key).ToList())
        {
            data[key] = SecretMasking.Mask;
        }

        secret.Remove("stringData");
    }

    private (JsonNode? D, JsonNode? L) ProjectMetadata(JsonElement d, JsonElement l, SchemaNode schema, ulong ignore)
    {
        if (d.ValueKind != JsonValueKind.Object)
        {
            return Project(d, l, schema, ignore, 1);
        }

        var outD = new JsonObject();
        var outL = JsonValues.Exists(l) ? new JsonObject() : null;
        foreach (var p in d.EnumerateObject())
        {
            var raw = JsonValues.RawName(p);
            if (DiffWalker.IsServerOwnedMetadata(raw))
            {
                continue;
            }

            var childIgnore = _rules.AdvanceName(ignore, 1, raw, out var ignored);
            if (ignored)
            {
                continue;
            }

            var (pd, pl) = Project(p.Value, JsonValues.Get(l, raw), schema.Child(raw)!, childIgnore, 2);
            Set(outD, p.Name, pd);
            if (outL is not null)
            {
                Set(outL, p.Name, pl);
            }
        }

        return (outD, outL);
    }

    private (JsonNode? D, JsonNode? L) Project(JsonElement d, JsonElement l, SchemaNode schema, ulong ignore, int depth)
    {
        if (!JsonValues.Exists(d))
        {
            return (null, null);
        }

        if (!_equality.Value(d, l, schema, ignore, depth))
        {
            return (Clone(d), JsonValues.Exists(l) || !JsonValues.IsEmpty(d) ? Clone(d) : null);
        }

        if (d.ValueKind == JsonValueKind.Object && l.ValueKind == JsonValueKind.Object)
        {
            var outD = new JsonObject();
            var outL = new JsonObject();
            foreach (var p in d.EnumerateObject())
            {
                var raw = JsonValues.RawName(p);
                var childIgnore = _rules.AdvanceName(ignore, depth, raw, out var ignored);
                if (ignored)
                {
                    continue;
                }

                var (pd, pl) = Project(p.Value, JsonValues.Get(l, raw), schema.Child(raw)!, childIgnore, depth + 1);
                Set(outD, p.Name, pd);
                Set(outL, p.Name, pl);
            }

            return (outD, outL);
        }

        if (d.ValueKind == JsonValueKind.Array && l.ValueKind == JsonValueKind.Array)
        {
            var items = schema.Items ?? SchemaNode.Generic;
            if (schema.ListKind == ListKind.Map)
            {
                var outD = new JsonArray();
                var outL = new JsonArray();
                var index = 0;
                foreach (var item in d.EnumerateArray())
                {
                    var childIgnore = _rules.AdvanceIndex(ignore, depth, index, out var ignored);
                    if (!ignored)
                    {
                        var liveIndex = DiffWalker.Pair(d, l, item, schema, index);
                        var (pd, pl) = Project(item, liveIndex >= 0 ? l[liveIndex] : default, items, childIgnore, depth + 1);
                        outD.Add(pd);
                        if (pl is not null)
                        {
                            outL.Add(pl);
                        }
                    }

                    index++;
                }

                return (outD, outL);
            }

            if (schema.ListKind == ListKind.Atomic && d.GetArrayLength() == l.GetArrayLength())
            {
                var outD = new JsonArray();
                var outL = new JsonArray();
                for (var i = 0; i < d.GetArrayLength(); i++)
                {
                    var childIgnore = _rules.AdvanceIndex(ignore, depth, i, out var ignored);
                    if (ignored)
                    {
                        continue;
                    }

                    var (pd, pl) = Project(d[i], l[i], items, childIgnore, depth + 1);
                    outD.Add(pd);
                    outL.Add(pl);
                }

                return (outD, outL);
            }
        }

        return (Clone(d), JsonValues.Exists(l) ? Clone(l) : null);
    }

    private void ProjectSecretData(JsonElement d, JsonElement l, JsonObject outD, JsonObject outL, ulong ignore)
    {
        var desiredData = JsonValues.Get(d, "data"u8);
        var desiredStringData = JsonValues.Get(d, "stringData"u8);
        var liveData = JsonValues.Get(l, "data"u8);
        var dataD = new JsonObject();
        var dataL = new JsonObject();
        foreach (var (section, map) in new[] { ("data", desiredData), ("stringData", desiredStringData) })
        {
            if (map.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var sectionIgnore = _rules.AdvanceName(ignore, 0, System.Text.Encoding.UTF8.GetBytes(section), out var sectionIgnored);
            if (sectionIgnored)
            {
                continue;
            }

            foreach (var p in map.EnumerateObject())
            {
                _rules.AdvanceName(sectionIgnore, 1, JsonValues.RawName(p), out var ignored);
                if (ignored || !JsonValues.Exists(p.Value)
                    || (section == "data" && JsonValues.Exists(JsonValues.Get(desiredStringData, JsonValues.RawName(p)))))
                {
                    continue;
                }

                var lv = JsonValues.Get(liveData, JsonValues.RawName(p));
                if (!JsonValues.Exists(lv))
                {
                    dataD[p.Name] = SecretMasking.Mask;
                    continue;
                }

                var equal = section == "data" ? JsonValues.Base64Equals(p.Value, lv) : JsonValues.Base64MatchesString(lv, p.Value);
                dataD[p.Name] = equal ? SecretMasking.Mask : SecretMasking.DesiredMask;
                dataL[p.Name] = equal ? SecretMasking.Mask : SecretMasking.LiveMask;
            }
        }

        if (dataD.Count > 0)
        {
            outD["data"] = dataD;
        }

        if (dataL.Count > 0)
        {
            outL["data"] = dataL;
        }
    }

    private void AddRemoved(JsonObject root, FieldChange change)
    {
        var segments = change.Path.Split('/')[1..].Select(JsonValues.UnescapePointerSegment).ToArray();
        if (segments.Length == 0)
        {
            return;
        }

        JsonNode? node = root;
        for (var i = 0; i < segments.Length - 1 && node is not null; i++)
        {
            node = node switch
            {
                JsonObject o => o[segments[i]],
                JsonArray a when int.TryParse(segments[i], out var n) && n < a.Count => a[n],
                _ => null,
            };
        }

        JsonNode value = _isSecret && segments[0] is "data" or "stringData"
            ? JsonValue.Create(SecretMasking.LiveMask)
            : JsonNode.Parse(change.LiveValue ?? "null")!;
        switch (node)
        {
            case JsonObject o:
                var key = segments[^1];
                if (_isSecret && segments.Length == 2 && segments[0] == "stringData")
                {
                    o = root["data"] as JsonObject ?? (JsonObject)(root["data"] = new JsonObject());
                }

                o[key] = value;
                break;
            case JsonArray a:
                a.Add(value);
                break;
        }
    }

    private static void Set(JsonObject target, string name, JsonNode? value)
    {
        if (value is not null)
        {
            target[name] = value;
        }
    }

    private static JsonNode? Clone(JsonElement e) => JsonNode.Parse(e.GetRawText());
}
