using System.Globalization;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

internal sealed class ManagerEntry
{
    public required string Manager { get; init; }

    public required string Operation { get; init; }

    public required string ApiVersion { get; set; }

    public string? Subresource { get; init; }

    public string? Time { get; set; }

    public FieldSet Set { get; set; } = new();

    public bool Is(string manager, string operation, string? subresource, string apiVersion) =>
        Manager == manager && Operation == operation && (Subresource ?? string.Empty) == (subresource ?? string.Empty)
        && (operation == "Apply" || ApiVersion == apiVersion);
}

/// <summary>One field manager's conflict: the paths (in the server's notation) it owns that the request would change.</summary>
internal sealed record FieldConflict(string Manager, string Operation, string? Time, IReadOnlyList<string> Fields, string? ApiVersion = null);

internal sealed class ApplyConflictException(IReadOnlyList<FieldConflict> conflicts) : Exception("apply conflict")
{
    public IReadOnlyList<FieldConflict> Conflicts { get; } = conflicts;
}

/// <summary>managedFields bookkeeping for apply and update operations, following the API server's field manager.</summary>
internal static class ManagedFields
{
    private static readonly string[] StrippedMetadata =
        ["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields", "resourceVersion"];

    public static List<ManagerEntry> Decode(JsonObject obj)
    {
        var list = new List<ManagerEntry>();
        if (obj["metadata"]?["managedFields"] is not JsonArray array)
        {
            return list;
        }

        foreach (var item in array.OfType<JsonObject>())
        {
            list.Add(new ManagerEntry
            {
                Manager = (string?)item["manager"] ?? string.Empty,
                Operation = (string?)item["operation"] ?? "Update",
                ApiVersion = (string?)item["apiVersion"] ?? string.Empty,
                Subresource = (string?)item["subresource"],
                Time = (string?)item["time"],
                Set = FieldSet.FromFieldsV1(item["fieldsV1"] as JsonObject),
            });
        }

        return list;
    }

    public static void Encode(JsonObject obj, List<ManagerEntry> entries)
    {
        var meta = Meta(obj);
        var live = entries.Where(e => !e.Set.IsEmpty).ToList();
        if (live.Count == 0)
        {
            meta.Remove("managedFields");
            return;
        }

        live.Sort((p, q) =>
        {
            var c = string.CompareOrdinal(p.Operation, q.Operation);
            if (c != 0)
            {
                return c;
            }

            c = Seconds(p.Time).CompareTo(Seconds(q.Time));
            if (c != 0)
            {
                return c;
            }

            c = string.CompareOrdinal(p.Manager, q.Manager);
            if (c != 0)
            {
                return c;
            }

            c = string.CompareOrdinal(p.ApiVersion, q.ApiVersion);
            return c != 0 ? c : string.CompareOrdinal(p.Subresource ?? string.Empty, q.Subresource ?? string.Empty);
        });
        var array = new JsonArray();
        foreach (var e in live)
        {
            var item = new JsonObject
            {
                ["manager"] = e.Manager,
                ["operation"] = e.Operation,
                ["apiVersion"] = e.ApiVersion,
            };
            if (e.Time is not null)
            {
                item["time"] = e.Time;
            }

            item["fieldsType"] = "FieldsV1";
            item["fieldsV1"] = e.Set.ToFieldsV1();
            if (e.Subresource is not null)
            {
                item["subresource"] = e.Subresource;
            }

            array.Add(item);
        }

        meta["managedFields"] = array;
    }

    private static long Seconds(string? time) =>
        time is not null && DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t.ToUnixTimeSeconds() : 0;

    public static JsonObject Meta(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject meta)
        {
            meta = new JsonObject();
            obj["metadata"] = meta;
        }

        return meta;
    }

    /// <summary>Removes the paths the server never tracks (identity metadata, apiVersion/kind) and, where given, reset fields.</summary>
    public static void Strip(FieldSet set, bool resetStatus)
    {
        set.RemoveChild("f:apiVersion");
        set.RemoveChild("f:kind");
        if (resetStatus)
        {
            set.RemoveChild("f:status");
        }

        var meta = set.TryChild("f:metadata");
        if (meta is not null)
        {
            meta.Member = false;
            foreach (var name in StrippedMetadata)
            {
                meta.RemoveChild("f:" + name);
            }

            if (meta.IsEmpty)
            {
                set.RemoveChild("f:metadata");
            }
        }
    }

    /// <summary>
    /// Server-side apply: merges <paramref name="config"/> into <paramref name="live"/>, updates the managers and
    /// prunes fields the manager applied before but no longer applies.
    /// </summary>
    /// <returns>The merged object (managedFields encoded) and whether anything but managedFields changed.</returns>
    public static (JsonObject Result, bool Changed) Apply(
        JsonObject live, JsonObject config, SchemaNode schema, string manager, bool force, string apiVersion, string now, bool resetStatus)
    {
        var entries = Decode(live);
        var liveBody = (JsonObject)live.DeepClone();
        Meta(liveBody).Remove("managedFields");
        var configBody = (JsonObject)config.DeepClone();
        if (configBody["metadata"] is JsonObject cm)
        {
            cm.Remove("managedFields");
            cm.Remove("resourceVersion");
            cm.Remove("uid");
            cm.Remove("creationTimestamp");
            cm.Remove("generation");
        }

        if (resetStatus)
        {
            configBody.Remove("status");
        }

        var merged = (JsonObject)FieldOps.Merge(liveBody, configBody, schema)!;
        var set = FieldOps.ToFieldSet(configBody, schema);
        Strip(set, resetStatus);

        var entry = entries.FirstOrDefault(e => e.Is(manager, "Apply", null, apiVersion));
        var lastSet = entry?.Set;
        if (entry is null)
        {
            entry = new ManagerEntry { Manager = manager, Operation = "Apply", ApiVersion = apiVersion };
            entries.Add(entry);
        }

        entry.Set = set;
        entry.ApiVersion = apiVersion;

        if (lastSet is not null && !lastSet.IsEmpty)
        {
            var owned = new FieldSet();
            foreach (var e in entries)
            {
                owned.UnionInPlace(e.Set);
            }

            var pruneSet = lastSet.Difference(owned);
            FieldOps.RemoveItems(merged, pruneSet, schema, owned);
        }

        RemoveNulls(merged);
        var comparison = FieldOps.Compare(liveBody, merged, schema);
        var changedSet = comparison.Modified.Union(comparison.Added);
        Strip(changedSet, false);
        var conflicts = new List<FieldConflict>();
        foreach (var other in entries)
        {
            if (ReferenceEquals(other, entry))
            {
                continue;
            }

            var conflict = other.Set.Intersect(changedSet);
            if (!conflict.IsEmpty)
            {
                conflicts.Add(new FieldConflict(other.Manager, other.Operation, other.Time, [.. conflict.Paths().Select(FieldSet.Describe)], other.ApiVersion));
            }
        }

        if (conflicts.Count > 0 && !force)
        {
            throw new ApplyConflictException(conflicts);
        }

        foreach (var other in entries)
        {
            if (ReferenceEquals(other, entry))
            {
                continue;
            }

            other.Set = other.Set.Difference(changedSet).Difference(comparison.Removed);
        }

        var changed = !comparison.IsSame;
        if (changed || entry.Time is null)
        {
            entry.Time = now;
        }

        entries.RemoveAll(e => e.Set.IsEmpty);
        Encode(merged, entries);
        return (merged, changed);
    }

    /// <summary>Records a non-apply write (create, update, patch) by <paramref name="manager"/>: it takes every field it changed.</summary>
    public static void Update(JsonObject? live, JsonObject updated, SchemaNode schema, string manager, string apiVersion, string? subresource, string now)
    {
        var entries = live is null ? [] : Decode(live);
        var liveBody = live is null ? new JsonObject() : (JsonObject)live.DeepClone();
        Meta(liveBody).Remove("managedFields");
        var body = (JsonObject)updated.DeepClone();
        Meta(body).Remove("managedFields");
        var comparison = FieldOps.Compare(liveBody, body, schema);
        var changed = comparison.Modified.Union(comparison.Added);
        Strip(changed, false);
        var removed = comparison.Removed;
        Strip(removed, false);
        // The writer keeps what it owned (item markers included) and adds what it changed; the others lose the changed fields.
        foreach (var e in entries)
        {
            e.Set = e.Is(manager, "Update", subresource, apiVersion) ? e.Set.Difference(removed) : e.Set.Difference(changed).Difference(removed);
        }

        if (!changed.IsEmpty)
        {
            var entry = entries.FirstOrDefault(e => e.Is(manager, "Update", subresource, apiVersion));
            if (entry is null)
            {
                entry = new ManagerEntry { Manager = manager, Operation = "Update", ApiVersion = apiVersion, Subresource = subresource };
                entries.Add(entry);
            }

            entry.Set = entry.Set.Union(changed);
            entry.Time = now;
        }

        entries.RemoveAll(e => e.Set.IsEmpty);
        Encode(updated, entries);
    }

    public static void RemoveNulls(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
                {
                    if (key != "creationTimestamp")
                    {
                        obj.Remove(key);
                    }
                }

                foreach (var (_, v) in obj)
                {
                    RemoveNulls(v);
                }

                break;
            case JsonArray array:
                foreach (var v in array)
                {
                    RemoveNulls(v);
                }

                break;
        }
    }
}
