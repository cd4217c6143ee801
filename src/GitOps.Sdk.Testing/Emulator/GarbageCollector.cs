using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>
/// The garbage collector: deletes dependents whose owners are gone (background), releases them (orphan) or holds the
/// owner until the blocking ones are gone (foreground), using the finalizers a DELETE sets for its propagation policy.
/// It runs synchronously after each deletion, under the store's lock, and writes as <c>kube-controller-manager</c>.
/// </summary>
internal sealed class GarbageCollector
{
    private const string ForegroundDeletion = "foregroundDeletion";
    private const string OrphanFinalizer = "orphan";

    private readonly EmulatorCore _core;

    public GarbageCollector(EmulatorCore core) => _core = core;

    public static bool HasFinalizer(JsonObject obj, string finalizer) =>
        (obj["metadata"]?["finalizers"] as JsonArray ?? []).Any(f => (string?)f == finalizer);

    /// <summary>
    /// The finalizers an object keeps when a DELETE reaches it: the protection controllers' go at once (no pod uses
    /// anything here); orphan and foreground propagation add the collector's own, which it removes once done.
    /// </summary>
    /// <returns>The finalizers list (now in <paramref name="meta"/>), or <see langword="null"/> when there is none.</returns>
    public static JsonArray? FinalizersOnDelete(ResourceType type, JsonObject meta, string? propagationPolicy, bool isNamespace)
    {
        var finalizers = meta["finalizers"] as JsonArray;
        if (finalizers is not null)
        {
            for (var i = finalizers.Count - 1; i >= 0; i--)
            {
                if ((string?)finalizers[i] is "kubernetes.io/pvc-protection" or "kubernetes.io/pv-protection")
                {
                    finalizers.RemoveAt(i);
                }
            }

            if (finalizers.Count == 0)
            {
                meta.Remove("finalizers");
                finalizers = null;
            }
        }

        var policy = isNamespace ? null : propagationPolicy ?? DefaultPropagation(type);
        var gcFinalizer = policy switch { "Orphan" => OrphanFinalizer, "Foreground" => ForegroundDeletion, _ => null };
        if (gcFinalizer is not null && meta["deletionTimestamp"] is null)
        {
            finalizers ??= [];
            meta["finalizers"] = finalizers;
            if (!finalizers.Any(f => (string?)f == gcFinalizer))
            {
                finalizers.Add(gcFinalizer);
            }
        }

        return finalizers;
    }

    /// <summary>After an object was marked for deletion: orphan its dependents, or start deleting them in the foreground.</summary>
    public void OnMarked(ResourceType type, StoredObject marked)
    {
        if (HasFinalizer(marked.Node, OrphanFinalizer))
        {
            OrphanDependents(type, marked);
        }
        else if (HasFinalizer(marked.Node, ForegroundDeletion))
        {
            CollectDependents(marked);
            if (_core.Store.Get(type.StorageKey, marked.Namespace, marked.Name) is StoredObject current)
            {
                FinishForegroundDeletion(type, current);
            }
        }
    }

    /// <summary>After an object is gone: what still points to it goes now, and owners waiting in the foreground may go.</summary>
    public void OnRemoved(StoredObject removed)
    {
        // Orphaning and foreground deletion already released or removed the dependents; what still points here goes now.
        CollectDependents(removed);
        foreach (var owner in removed.Node["metadata"]?["ownerReferences"] as JsonArray ?? [])
        {
            if (owner is JsonObject reference && FindOwner(reference, removed.Namespace) is var (ownerType, ownerObject))
            {
                FinishForegroundDeletion(ownerType, ownerObject);
            }
        }
    }

    /// <summary>
    /// The garbage collector, background propagation: a dependent whose owners are all gone (or being deleted) is
    /// deleted; one that still has a live owner only loses its reference to the deleted owner.
    /// </summary>
    private void CollectDependents(StoredObject owner)
    {
        var uid = (string?)owner.Node["metadata"]?["uid"];
        if (uid is null)
        {
            return;
        }

        foreach (var (storageKey, ns, name) in _core.Store.DependentsLocked(uid))
        {
            var type = _core.Registry.All.FirstOrDefault(t => t.StorageKey == storageKey);
            var dependent = type is null ? null : _core.Store.Get(storageKey, ns, name);
            if (type is null || dependent is null)
            {
                continue;
            }

            var others = (dependent.Node["metadata"]?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(o => (string?)o["uid"] != uid).ToList();
            var foreground = others.Select(o => FindOwner(o, ns)).Any(o => o is var (_, x) && HasFinalizer(x.Node, ForegroundDeletion));
            var liveOwners = others.Count(o => FindOwner(o, ns) is var (_, x) && x.Node["metadata"]?["deletionTimestamp"] is null);
            try
            {
                if (liveOwners > 0)
                {
                    RemoveOwnerReference(type, dependent, uid);
                }
                else if (dependent.Node["metadata"]?["deletionTimestamp"] is null)
                {
                    // A dependent of an owner deleted in the foreground that has dependents of its own is deleted in the foreground too.
                    var policy = foreground && _core.Store.DependentsLocked((string?)dependent.Node["metadata"]?["uid"] ?? string.Empty).Count > 0
                        ? "Foreground" : "Background";
                    _core.Delete(type, ns, name, policy, null, null, false);
                }
            }
            catch (ApiException)
            {
                // Already gone.
            }
        }
    }

    /// <summary>The propagation a DELETE without one gets: batch/v1 Jobs and v1 ReplicationControllers orphan their dependents (for compatibility), everything else deletes them in the background.</summary>
    private static string DefaultPropagation(ResourceType type) =>
        (type.Group + "/" + type.Version + "/" + type.Kind) is "batch/v1/Job" or "/v1/ReplicationController" ? "Orphan" : "Background";

    /// <summary>Finds the live object an ownerReference names (same namespace for namespaced owners), checking its uid.</summary>
    private (ResourceType Type, StoredObject Object)? FindOwner(JsonObject reference, string dependentNamespace)
    {
        var type = _core.Registry.FindByKind((string?)reference["apiVersion"] ?? string.Empty, (string?)reference["kind"] ?? string.Empty);
        if (type is null || (string?)reference["name"] is not string name)
        {
            return null;
        }

        var owner = _core.Store.Get(type.StorageKey, type.Namespaced ? dependentNamespace : string.Empty, name);
        return owner is not null && (string?)owner.Node["metadata"]?["uid"] == (string?)reference["uid"] ? (type, owner) : null;
    }

    /// <summary>Orphan propagation: the dependents lose their reference to the owner, then the orphan finalizer goes.</summary>
    private void OrphanDependents(ResourceType type, StoredObject owner)
    {
        var uid = (string?)owner.Node["metadata"]?["uid"] ?? string.Empty;
        foreach (var (storageKey, ns, name) in _core.Store.DependentsLocked(uid))
        {
            var dependentType = _core.Registry.All.FirstOrDefault(t => t.StorageKey == storageKey);
            if (dependentType is not null && _core.Store.Get(storageKey, ns, name) is StoredObject dependent)
            {
                RemoveOwnerReference(dependentType, dependent, uid);
            }
        }

        if (_core.Store.Get(type.StorageKey, owner.Namespace, owner.Name) is StoredObject current && HasFinalizer(current.Node, OrphanFinalizer))
        {
            RemoveFinalizer(type, current, OrphanFinalizer);
        }
    }

    /// <summary>
    /// Foreground propagation: the owner stays (deletionTimestamp, <c>foregroundDeletion</c> finalizer) until no dependent
    /// with <c>blockOwnerDeletion: true</c> is left; dependents being deleted themselves (finalizers) keep blocking it.
    /// </summary>
    private void FinishForegroundDeletion(ResourceType type, StoredObject owner)
    {
        if (!HasFinalizer(owner.Node, ForegroundDeletion) || owner.Node["metadata"]?["deletionTimestamp"] is null)
        {
            return;
        }

        var uid = (string?)owner.Node["metadata"]?["uid"] ?? string.Empty;
        var blocked = _core.Store.DependentsLocked(uid).Any(d => _core.Store.Get(d.StorageKey, d.Namespace, d.Name) is StoredObject dependent
            && (dependent.Node["metadata"]?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>()
                .Any(o => (string?)o["uid"] == uid && JsonValues.Bool(o["blockOwnerDeletion"])));
        if (!blocked && _core.Store.Get(type.StorageKey, owner.Namespace, owner.Name) is StoredObject current)
        {
            RemoveFinalizer(type, current, ForegroundDeletion);
        }
    }

    /// <summary>Removes a dependent's ownerReference to <paramref name="ownerUid"/>.</summary>
    private void RemoveOwnerReference(ResourceType type, StoredObject dependent, string ownerUid) =>
        RemoveFromList(type, dependent, "ownerReferences", r => (string?)r?["uid"] == ownerUid);

    /// <summary>Removes one of the collector's finalizers (the object goes when it was the last).</summary>
    private void RemoveFinalizer(ResourceType type, StoredObject obj, string finalizer) =>
        RemoveFromList(type, obj, "finalizers", f => (string?)f == finalizer);

    /// <summary>The collector's write: removes the matching entries of a metadata list, and the list when it is left empty.</summary>
    private void RemoveFromList(ResourceType type, StoredObject obj, string list, Func<JsonNode?, bool> matches) =>
        _core.Write(new WriteRequest
        {
            Type = type,
            Kind = WriteKind.Patch,
            Namespace = obj.Namespace,
            Name = obj.Name,
            Manager = "kube-controller-manager",
            Patch = (live, _) =>
            {
                var meta = ManagedFields.Meta(live);
                if (meta[list] is JsonArray items)
                {
                    for (var i = items.Count - 1; i >= 0; i--)
                    {
                        if (matches(items[i]))
                        {
                            items.RemoveAt(i);
                        }
                    }

                    if (items.Count == 0)
                    {
                        meta.Remove(list);
                    }
                }

                return live;
            },
        });
}
