using System.Globalization;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>
/// The API server's behaviour, independent of HTTP: the write pipeline (field management, defaulting, validation,
/// resourceVersion/generation) and deletion with finalizers. The controllers that react to writes live beside it:
/// <see cref="GarbageCollector"/>, <see cref="CrdController"/>, <see cref="ClusterRoleAggregator"/>,
/// <see cref="NamespaceController"/>, and <see cref="ServiceAllocator"/> for Service addresses.
/// </summary>
internal sealed class EmulatorCore
{
    private readonly TimeProvider _time;
    private readonly ServiceAllocator _services = new();
    private readonly GarbageCollector _gc;
    private readonly ClusterRoleAggregator _roles;

    public EmulatorCore(ResourceRegistry registry, ObjectStore store, TimeProvider time, TimeSpan crdEstablishDelay = default)
    {
        Registry = registry;
        Store = store;
        _time = time;
        _gc = new GarbageCollector(this);
        _roles = new ClusterRoleAggregator(this);
        Crds = new CrdController(this, time, crdEstablishDelay);
        Namespaces = new NamespaceController(this);
    }

    public ResourceRegistry Registry { get; }

    public ObjectStore Store { get; }

    public CrdController Crds { get; }

    public NamespaceController Namespaces { get; }

    public event Action<ResourceType, JsonObject>? NamespaceTerminating;

    public string Now() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Runs a write through the pipeline. Returns the resulting object and whether it was created.</summary>
    public (JsonObject Object, bool Created) Write(WriteRequest request)
    {
        var type = request.Type;
        var now = Now();
        lock (Store.Gate)
        {
            var name = request.Name ?? (string?)request.Body?["metadata"]?["name"];
            var live = name is null ? null : Store.Get(type.StorageKey, type.Namespaced ? request.Namespace : string.Empty, name);
            if (request.Kind == WriteKind.Create && name is null && request.Body?["metadata"]?["generateName"] is JsonValue gen)
            {
                name = gen + WriteBodies.RandomSuffix();
            }

            if (string.IsNullOrEmpty(name))
            {
                throw StatusErrors.Invalid(type, string.Empty, [new FieldError("FieldValueRequired", "metadata.name", "Required value: name or generateName is required")]);
            }

            if (request.Body is not null)
            {
                TypeChecks.CheckTypes(type, request.Body, request.Kind == WriteKind.Apply);
            }

            JsonObject result;
            var created = false;
            switch (request.Kind)
            {
                case WriteKind.Create:
                    if (live is not null)
                    {
                        throw StatusErrors.AlreadyExists(type, name);
                    }

                    result = WriteBodies.PrepareBody(request, name);
                    Namespaces.CheckWritable(type, request.Namespace, name);
                    Defaults.Apply(type, result);
                    ManagedFields.Update(null, result, type.Schema, request.Manager, type.ApiVersion, null, now);
                    created = true;
                    break;
                case WriteKind.Update:
                    if (live is null)
                    {
                        throw StatusErrors.NotFound(type, name);
                    }

                    result = WriteBodies.PrepareBody(request, name);
                    var rv = (string?)result["metadata"]?["resourceVersion"];
                    if (!string.IsNullOrEmpty(rv) && rv != live.ResourceVersion.ToString(CultureInfo.InvariantCulture))
                    {
                        throw StatusErrors.Conflict(type, name);
                    }

                    result = WriteBodies.ApplySubresource(type, request.Subresource, live.Node, result);
                    WriteBodies.KeepServerMetadata(live.Node, result);
                    Defaults.Apply(type, result);
                    ManagedFields.Update(live.Node, result, type.Schema, request.Manager, type.ApiVersion, request.Subresource, now);
                    break;
                case WriteKind.Patch:
                    if (live is null)
                    {
                        throw StatusErrors.NotFound(type, name);
                    }

                    result = request.Patch!(live.CloneNode(), type.Schema);
                    TypeChecks.CheckTypes(type, result, apply: false);
                    var patchedRv = (string?)result["metadata"]?["resourceVersion"];
                    if (!string.IsNullOrEmpty(patchedRv) && patchedRv != live.ResourceVersion.ToString(CultureInfo.InvariantCulture))
                    {
                        throw StatusErrors.Conflict(type, name);
                    }

                    result = WriteBodies.ApplySubresource(type, request.Subresource, live.Node, result);
                    WriteBodies.KeepServerMetadata(live.Node, result);
                    Defaults.Apply(type, result);
                    ManagedFields.Update(live.Node, result, type.Schema, request.Manager, type.ApiVersion, request.Subresource, now);
                    break;
                case WriteKind.Apply:
                    var config = request.Body ?? throw StatusErrors.BadRequest("missing apply configuration");
                    WriteBodies.CheckApplyIdentity(type, config, name, request.Namespace);
                    JsonObject baseObject;
                    if (live is null && request.Subresource is not null)
                    {
                        // As the API server's subresource storage (StatusREST.Update passes forceAllowCreate=false):
                        // "subresources should never allow create on update"; an apply to the status of a missing
                        // object is 404 NotFound, it never creates the object.
                        throw StatusErrors.NotFound(type, name);
                    }

                    if (live is null)
                    {
                        Namespaces.CheckWritable(type, request.Namespace, name);
                        baseObject = new JsonObject
                        {
                            ["apiVersion"] = type.ApiVersion,
                            ["kind"] = type.Kind,
                            ["metadata"] = WriteBodies.NewMetadata(type, request.Namespace, name),
                        };
                        created = true;
                    }
                    else
                    {
                        baseObject = live.CloneNode();
                    }

                    var resetStatus = type.HasStatus && request.Subresource is null;
                    try
                    {
                        (result, _) = ManagedFields.Apply(baseObject, config, type.Schema, request.Manager, request.Force, type.ApiVersion, now, resetStatus);
                    }
                    catch (ApplyConflictException e)
                    {
                        throw StatusErrors.ApplyConflict(e.Conflicts);
                    }

                    if (live is not null)
                    {
                        result = WriteBodies.ApplySubresource(type, request.Subresource, live.Node, result);
                        WriteBodies.KeepServerMetadata(live.Node, result);
                    }

                    break;
                default:
                    throw new InvalidOperationException("unknown write kind");
            }

            return Commit(type, live, result, created, request.DryRun, now);
        }
    }

    private (JsonObject Object, bool Created) Commit(ResourceType type, StoredObject? live, JsonObject result, bool created, bool dryRun, string now)
    {
        ManagedFields.RemoveNulls(result);
        if (created)
        {
            var meta = ManagedFields.Meta(result);
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = now;
            if (CreationFields.TracksGeneration(type))
            {
                meta["generation"] = 1;
            }

            CreationFields.SetOnCreate(type, result);
        }

        Defaults.Apply(type, result);
        _services.Allocate(type, live?.Node, result, dryRun);
        if (!created && live is not null && CreationFields.TracksGeneration(type) && WriteBodies.SpecChanged(live.Node, result))
        {
            var generation = JsonValues.Long(live.Node["metadata"]?["generation"]) ?? 0;
            ManagedFields.Meta(result)["generation"] = generation + 1;
        }

        Validation.Validate(type, result, live?.Node);
        if (CrdController.IsCrd(type))
        {
            CrdController.ShapeStatus(result);
        }
        else if (type.Group == "rbac.authorization.k8s.io" && type.Kind is "Role" or "ClusterRole"
            && result["rules"] is not JsonArray { Count: > 0 })
        {
            // rules has no omitempty and an empty list comes back from storage as nil: "rules": null.
            result["rules"] = null;
        }

        result = ServerFieldOrder.Normalize(result);
        if (live is not null)
        {
            ManagedFields.Meta(result)["resourceVersion"] = live.ResourceVersion.ToString(CultureInfo.InvariantCulture);
            if (JsonNode.DeepEquals(live.Node, result))
            {
                return (live.CloneNode(), false);
            }
        }

        if (live is not null && live.Node["metadata"]?["deletionTimestamp"] is not null
            && (result["metadata"]?["finalizers"] is not JsonArray fin || fin.Count == 0) && !dryRun)
        {
            // The last finalizer was removed: the object goes away now.
            var rvGone = Store.NextResourceVersion();
            ManagedFields.Meta(result)["resourceVersion"] = rvGone.ToString(CultureInfo.InvariantCulture);
            var stored = new StoredObject(result, rvGone);
            Store.RemoveLocked(type.StorageKey, stored);
            AfterDelete(type, stored);
            return (result, false);
        }

        if (dryRun)
        {
            if (live is null)
            {
                ManagedFields.Meta(result).Remove("resourceVersion");
            }

            return (result, created);
        }

        var rv = Store.NextResourceVersion();
        ManagedFields.Meta(result)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        result = ServerFieldOrder.Normalize(result);
        var storedObject = new StoredObject(result, rv);
        Store.PutLocked(type.StorageKey, storedObject, created);
        AfterWrite(type, live?.Node, storedObject);
        return ((JsonObject)result.DeepClone(), created);
    }

    private void AfterWrite(ResourceType type, JsonObject? live, StoredObject stored)
    {
        if (CrdController.IsCrd(type))
        {
            Crds.AfterWrite(type, stored);
        }

        if (ClusterRoleAggregator.IsClusterRole(type))
        {
            _roles.Aggregate(type);
        }

        if (type.Group.Length == 0 && type.Kind == "Namespace" && stored.Node["metadata"]?["deletionTimestamp"] is not null
            && live?["metadata"]?["deletionTimestamp"] is null)
        {
            NamespaceTerminating?.Invoke(type, stored.Node);
        }
    }

    private void AfterDelete(ResourceType type, StoredObject stored)
    {
        _gc.OnRemoved(stored);
        if (CrdController.IsCrd(type))
        {
            Crds.AfterDelete(stored);
        }

        _services.Release(type, stored);
        if (ClusterRoleAggregator.IsClusterRole(type))
        {
            _roles.Aggregate(type);
        }
    }

    /// <summary>Deletes an object: immediately, or (finalizers, foreground propagation) by marking it.</summary>
    /// <returns>The final object and whether it is gone.</returns>
    public (JsonObject Object, bool Deleted) Delete(ResourceType type, string ns, string name, string? propagationPolicy,
        string? preconditionUid, string? preconditionRv, bool dryRun)
    {
        var now = Now();
        lock (Store.Gate)
        {
            var key = type.Namespaced ? ns : string.Empty;
            var live = Store.Get(type.StorageKey, key, name) ?? throw StatusErrors.NotFound(type, name);
            if (preconditionUid is not null && preconditionUid != (string?)live.Node["metadata"]?["uid"])
            {
                throw StatusErrors.ConflictMessage(type, name,
                    $"Precondition failed: UID in precondition: {preconditionUid}, UID in object meta: {(string?)live.Node["metadata"]?["uid"]}");
            }

            if (preconditionRv is not null && preconditionRv != live.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw StatusErrors.ConflictMessage(type, name,
                    $"Precondition failed: ResourceVersion in precondition: {preconditionRv}, ResourceVersion in object meta: {live.ResourceVersion}");
            }

            var node = live.CloneNode();
            var meta = ManagedFields.Meta(node);
            var isNamespace = type.Group.Length == 0 && type.Kind == "Namespace";
            var finalizers = GarbageCollector.FinalizersOnDelete(type, meta, propagationPolicy, isNamespace);
            var hasSpecFinalizers = isNamespace && node["spec"]?["finalizers"] is JsonArray { Count: > 0 };
            if ((finalizers is { Count: > 0 }) || hasSpecFinalizers)
            {
                if (meta["deletionTimestamp"] is null)
                {
                    meta["deletionTimestamp"] = now;
                    meta["deletionGracePeriodSeconds"] = 0;
                    if (isNamespace)
                    {
                        Defaults.Obj(node, "status")["phase"] = "Terminating";
                    }
                }

                if (dryRun || JsonNode.DeepEquals(node, live.Node))
                {
                    return (node, false);
                }

                var rv = Store.NextResourceVersion();
                meta["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
                var stored = new StoredObject(ServerFieldOrder.Normalize(node), rv);
                Store.PutLocked(type.StorageKey, stored, false);
                AfterWrite(type, live.Node, stored);
                // Orphan and foreground propagation: the collector (run right after, synchronously) releases or deletes the
                // dependents and then removes its finalizer.
                _gc.OnMarked(type, stored);

                // The answer is the object as marked, like the real server's (the collector works after it answered).
                return (stored.CloneNode(), false);
            }

            if (dryRun)
            {
                return (node, true);
            }

            var deleteRv = Store.NextResourceVersion();
            meta["resourceVersion"] = deleteRv.ToString(CultureInfo.InvariantCulture);
            var final = new StoredObject(node, deleteRv);
            Store.RemoveLocked(type.StorageKey, final);
            AfterDelete(type, final);
            return (node, true);
        }
    }
}
