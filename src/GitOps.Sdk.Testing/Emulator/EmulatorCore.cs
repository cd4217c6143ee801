using System.Globalization;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Emulator;

internal enum WriteKind
{
    Create,
    Update,
    Patch,
    Apply,
}

/// <summary>One write request, from HTTP or from the "another actor" API.</summary>
internal sealed class WriteRequest
{
    public required ResourceType Type { get; init; }

    public required WriteKind Kind { get; init; }

    public string Namespace { get; init; } = string.Empty;

    public string? Name { get; init; }

    public string? Subresource { get; init; }

    public JsonObject? Body { get; init; }

    /// <summary>For <see cref="WriteKind.Patch"/>: computes the patched object from the live one.</summary>
    public Func<JsonObject, SchemaNode, JsonObject>? Patch { get; init; }

    public string Manager { get; init; } = "unknown";

    public bool Force { get; init; }

    public bool DryRun { get; init; }
}

/// <summary>
/// The API server's behaviour, independent of HTTP: the write pipeline (field management, defaulting,
/// validation, resourceVersion/generation), deletion with finalizers, namespaces and CRD registration.
/// </summary>
internal sealed class EmulatorCore
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _crdEstablishDelay;
    private readonly Dictionary<string, ITimer> _establishing = new(StringComparer.Ordinal);
    private readonly ClusterIpAllocator _ips = new();
    private readonly HashSet<int> _nodePorts = [];
    private int _nextNodePort = 30000;

    public EmulatorCore(ResourceRegistry registry, ObjectStore store, TimeProvider time, TimeSpan crdEstablishDelay = default)
    {
        Registry = registry;
        Store = store;
        _time = time;
        _crdEstablishDelay = crdEstablishDelay;
    }

    public ResourceRegistry Registry { get; }

    public ObjectStore Store { get; }

    public event Action<ResourceType, JsonObject>? NamespaceTerminating;

    public string Now() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public ResourceType NamespaceType => Registry.Find(string.Empty, "v1", "namespaces")!;

    public void Bootstrap()
    {
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            if (Store.Get(NamespaceType.StorageKey, string.Empty, ns) is null)
            {
                Write(new WriteRequest
                {
                    Type = NamespaceType,
                    Kind = WriteKind.Create,
                    Body = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } },
                    Manager = "kube-apiserver",
                });
            }
        }
    }

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
                name = gen + RandomSuffix();
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

                    result = PrepareBody(request, name);
                    CheckNamespace(type, request.Namespace, name);
                    Defaults.Apply(type, result);
                    ManagedFields.Update(null, result, type.Schema, request.Manager, type.ApiVersion, null, now);
                    created = true;
                    break;
                case WriteKind.Update:
                    if (live is null)
                    {
                        throw StatusErrors.NotFound(type, name);
                    }

                    result = PrepareBody(request, name);
                    var rv = (string?)result["metadata"]?["resourceVersion"];
                    if (!string.IsNullOrEmpty(rv) && rv != live.ResourceVersion.ToString(CultureInfo.InvariantCulture))
                    {
                        throw StatusErrors.Conflict(type, name);
                    }

                    result = ApplySubresource(type, request.Subresource, live.Node, result);
                    KeepServerMetadata(live.Node, result);
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

                    result = ApplySubresource(type, request.Subresource, live.Node, result);
                    KeepServerMetadata(live.Node, result);
                    Defaults.Apply(type, result);
                    ManagedFields.Update(live.Node, result, type.Schema, request.Manager, type.ApiVersion, request.Subresource, now);
                    break;
                case WriteKind.Apply:
                    var config = request.Body ?? throw StatusErrors.BadRequest("missing apply configuration");
                    CheckApplyIdentity(type, config, name, request.Namespace);
                    JsonObject baseObject;
                    if (live is null)
                    {
                        CheckNamespace(type, request.Namespace, name);
                        baseObject = new JsonObject
                        {
                            ["apiVersion"] = type.ApiVersion,
                            ["kind"] = type.Kind,
                            ["metadata"] = NewMetadata(type, request.Namespace, name),
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
                        result = ApplySubresource(type, request.Subresource, live.Node, result);
                        KeepServerMetadata(live.Node, result);
                    }

                    break;
                default:
                    throw new InvalidOperationException("unknown write kind");
            }

            return Commit(type, live, result, created, request.DryRun, now);
        }
    }

    private static string RandomSuffix()
    {
        const string chars = "bcdfghjklmnpqrstvwxz2456789";
        Span<char> s = stackalloc char[5];
        for (var i = 0; i < s.Length; i++)
        {
            s[i] = chars[System.Security.Cryptography.RandomNumberGenerator.GetInt32(chars.Length)];
        }

        return new string(s);
    }

    private JsonObject NewMetadata(ResourceType type, string ns, string name)
    {
        var meta = new JsonObject { ["name"] = name };
        if (type.Namespaced)
        {
            meta["namespace"] = ns;
        }

        return meta;
    }

    private static void CheckApplyIdentity(ResourceType type, JsonObject config, string name, string ns)
    {
        var kind = (string?)config["kind"];
        var apiVersion = (string?)config["apiVersion"];
        if (string.IsNullOrEmpty(kind) || string.IsNullOrEmpty(apiVersion))
        {
            throw StatusErrors.BadRequest("error decoding YAML: Object 'Kind' is missing in '" + config.ToJsonString() + "'");
        }

        if (kind != type.Kind || apiVersion != type.ApiVersion)
        {
            throw StatusErrors.BadRequest($"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        }

        var bodyName = (string?)config["metadata"]?["name"];
        if (bodyName is not null && bodyName != name)
        {
            throw StatusErrors.BadRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + name + ")");
        }

        var bodyNs = (string?)config["metadata"]?["namespace"];
        if (type.Namespaced && bodyNs is not null && bodyNs != ns)
        {
            throw StatusErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    private JsonObject PrepareBody(WriteRequest request, string name)
    {
        var body = (JsonObject?)request.Body?.DeepClone() ?? throw StatusErrors.BadRequest("the request body is empty");
        body["apiVersion"] ??= request.Type.ApiVersion;
        body["kind"] ??= request.Type.Kind;
        var meta = ManagedFields.Meta(body);
        var bodyName = (string?)meta["name"];
        if (request.Name is not null && bodyName is not null && bodyName != request.Name)
        {
            throw StatusErrors.BadRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + request.Name + ")");
        }

        meta["name"] = name;
        if (request.Type.Namespaced)
        {
            var bodyNs = (string?)meta["namespace"];
            if (bodyNs is not null && bodyNs.Length > 0 && bodyNs != request.Namespace)
            {
                throw StatusErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            meta["namespace"] = request.Namespace;
        }
        else
        {
            meta.Remove("namespace");
        }

        if (request.Kind == WriteKind.Create)
        {
            meta.Remove("resourceVersion");
            meta.Remove("uid");
            meta.Remove("creationTimestamp");
            meta.Remove("deletionTimestamp");
            meta.Remove("generation");
            if (request.Type.HasStatus)
            {
                body.Remove("status");
            }
        }

        return body;
    }

    private void CheckNamespace(ResourceType type, string ns, string name)
    {
        if (!type.Namespaced)
        {
            return;
        }

        var nsObj = Store.Get(NamespaceType.StorageKey, string.Empty, ns) ?? throw StatusErrors.NamespaceNotFound(ns);
        if (nsObj.Node["metadata"]?["deletionTimestamp"] is not null)
        {
            throw StatusErrors.Forbidden(type, name, $"unable to create new content in namespace {ns} because it is being terminated");
        }
    }

    /// <summary>Main-resource writes keep the live status; status writes keep everything but the status.</summary>
    private static JsonObject ApplySubresource(ResourceType type, string? subresource, JsonObject live, JsonObject updated)
    {
        if (subresource == "status")
        {
            var result = (JsonObject)live.DeepClone();
            if (updated["status"] is JsonNode status)
            {
                result["status"] = status.DeepClone();
            }
            else
            {
                result.Remove("status");
            }

            if (updated["metadata"]?["managedFields"] is JsonNode mf)
            {
                ManagedFields.Meta(result)["managedFields"] = mf.DeepClone();
            }

            return result;
        }

        if (type.HasStatus && subresource is null)
        {
            if (live["status"] is JsonNode liveStatus)
            {
                updated["status"] = liveStatus.DeepClone();
            }
            else
            {
                updated.Remove("status");
            }
        }

        return updated;
    }

    private static readonly string[] ServerMetadata = ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"];

    private static void KeepServerMetadata(JsonObject live, JsonObject updated)
    {
        var liveMeta = live["metadata"] as JsonObject;
        var meta = ManagedFields.Meta(updated);
        foreach (var field in ServerMetadata)
        {
            if (liveMeta?[field] is JsonNode v)
            {
                meta[field] = v.DeepClone();
            }
            else
            {
                meta.Remove(field);
            }
        }

        meta["name"] = liveMeta?["name"]?.DeepClone();
        if (liveMeta?["namespace"] is JsonNode ns)
        {
            meta["namespace"] = ns.DeepClone();
        }
    }

    private static bool TracksGeneration(ResourceType type) =>
        type.IsCustom || type.Group is "apps" or "batch" or "policy" or "networking.k8s.io" or "apiextensions.k8s.io" or "admissionregistration.k8s.io";

    private (JsonObject Object, bool Created) Commit(ResourceType type, StoredObject? live, JsonObject result, bool created, bool dryRun, string now)
    {
        ManagedFields.RemoveNulls(result);
        if (created)
        {
            var meta = ManagedFields.Meta(result);
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = now;
            if (TracksGeneration(type))
            {
                meta["generation"] = 1;
            }

            BeforeCreate(type, result);
        }

        Defaults.Apply(type, result);
        AllocateService(type, live?.Node, result, dryRun);
        if (!created && live is not null && TracksGeneration(type) && SpecChanged(live.Node, result))
        {
            var generation = JsonValues.Long(live.Node["metadata"]?["generation"]) ?? 0;
            ManagedFields.Meta(result)["generation"] = generation + 1;
        }

        Validation.Validate(type, result, live?.Node);
        if (IsCrd(type))
        {
            ShapeCrdStatus(result);
        }
        else if (type.Group == "rbac.authorization.k8s.io" && type.Kind is "Role" or "ClusterRole"
            && result["rules"] is not JsonArray { Count: > 0 })
        {
            // rules has no omitempty and an empty list comes back from storage as nil: "rules": null.
            result["rules"] = null;
        }

        result = Normalize(result);
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
        result = Normalize(result);
        var storedObject = new StoredObject(result, rv);
        Store.PutLocked(type.StorageKey, storedObject, created);
        AfterWrite(type, live?.Node, storedObject);
        return ((JsonObject)result.DeepClone(), created);
    }

    private static bool SpecChanged(JsonObject live, JsonObject updated)
    {
        foreach (var (key, value) in updated)
        {
            if (key is "metadata" or "status" or "apiVersion" or "kind")
            {
                continue;
            }

            if (!JsonNode.DeepEquals(live[key], value))
            {
                return true;
            }
        }

        return live.Any(kv => kv.Key is not ("metadata" or "status" or "apiVersion" or "kind") && !updated.ContainsKey(kv.Key));
    }

    private static void BeforeCreate(ResourceType type, JsonObject obj)
    {
        var meta = ManagedFields.Meta(obj);
        switch (type.Group + "/" + type.Kind)
        {
            case "apps/DaemonSet":
                Defaults.Obj(meta, "annotations")["deprecated.daemonset.template.generation"] = "1";
                break;
            case "batch/Job":
                var uid = (string)meta["uid"]!;
                var spec = Defaults.Obj(obj, "spec");
                if (!JsonValues.Bool(spec["manualSelector"]))
                {
                    spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["controller-uid"] = uid } };
                    var template = Defaults.Obj(spec, "template");
                    var labels = Defaults.Obj(Defaults.Obj(template, "metadata"), "labels");
                    labels["controller-uid"] = uid;
                    labels["job-name"] = (string)meta["name"]!;
                }

                if (meta["labels"] is not JsonObject { Count: > 0 } && spec["template"]?["metadata"]?["labels"] is JsonObject tl)
                {
                    meta["labels"] = tl.DeepClone();
                }

                Defaults.Obj(meta, "annotations")["batch.kubernetes.io/job-tracking"] = string.Empty;
                break;
            case "/PersistentVolumeClaim":
                AddFinalizer(meta, "kubernetes.io/pvc-protection");
                break;
            case "/PersistentVolume":
                AddFinalizer(meta, "kubernetes.io/pv-protection");
                break;
            case "apiextensions.k8s.io/CustomResourceDefinition":
                // Stored before the naming controller has looked at it: no conditions, no accepted names yet.
                obj["status"] = new JsonObject
                {
                    ["conditions"] = null,
                    ["acceptedNames"] = new JsonObject { ["plural"] = string.Empty, ["kind"] = string.Empty },
                    ["storedVersions"] = new JsonArray([.. (obj["spec"]?["versions"] as JsonArray ?? []).OfType<JsonObject>()
                        .Where(v => JsonValues.Bool(v["storage"])).Select(v => (JsonNode)JsonValue.Create((string)v["name"]!))]),
                };
                break;
        }
    }

    private static void AddFinalizer(JsonObject meta, string finalizer)
    {
        if (meta["finalizers"] is not JsonArray list)
        {
            list = [];
            meta["finalizers"] = list;
        }

        if (!list.Any(f => (string?)f == finalizer))
        {
            list.Add(finalizer);
        }
    }

    private void AllocateService(ResourceType type, JsonObject? live, JsonObject obj, bool dryRun)
    {
        if (type.Group.Length != 0 || type.Kind != "Service" || obj["spec"] is not JsonObject spec)
        {
            return;
        }

        var serviceType = (string?)spec["type"];
        if (serviceType == "ExternalName")
        {
            return;
        }

        var liveSpec = live?["spec"] as JsonObject;
        if (spec["clusterIP"] is null || (string?)spec["clusterIP"] == string.Empty)
        {
            spec["clusterIP"] = liveSpec?["clusterIP"]?.DeepClone() ?? (dryRun ? _ips.Peek() : _ips.Allocate());
        }

        if (spec["clusterIPs"] is null)
        {
            spec["clusterIPs"] = new JsonArray(spec["clusterIP"]!.DeepClone());
        }

        if ((string?)spec["clusterIP"] != "None")
        {
            spec["ipFamilies"] ??= new JsonArray("IPv4");
            spec["ipFamilyPolicy"] ??= "SingleStack";
        }
        else
        {
            spec["ipFamilies"] ??= new JsonArray("IPv4");
            spec["ipFamilyPolicy"] ??= "SingleStack";
        }

        if (serviceType is "NodePort" or "LoadBalancer")
        {
            foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (port["nodePort"] is null)
                {
                    var livePort = (liveSpec?["ports"] as JsonArray)?.OfType<JsonObject>()
                        .FirstOrDefault(p => JsonNode.DeepEquals(p["port"], port["port"]) && (string?)p["protocol"] == (string?)port["protocol"]);
                    port["nodePort"] = livePort?["nodePort"]?.DeepClone() ?? AllocateNodePort();
                }
            }
        }
    }

    private int AllocateNodePort()
    {
        while (_nodePorts.Contains(_nextNodePort))
        {
            _nextNodePort++;
        }

        _nodePorts.Add(_nextNodePort);
        return _nextNodePort++;
    }

    private void AfterWrite(ResourceType type, JsonObject? live, StoredObject stored)
    {
        if (IsCrd(type))
        {
            if (NamesAccepted(stored.Node))
            {
                Registry.RegisterCrd(stored.Node);
            }
            else
            {
                ScheduleEstablishment(type, stored.Node);
            }
        }

        if (IsClusterRole(type))
        {
            AggregateClusterRoles(type);
        }

        if (type.Group.Length == 0 && type.Kind == "Namespace" && stored.Node["metadata"]?["deletionTimestamp"] is not null
            && live?["metadata"]?["deletionTimestamp"] is null)
        {
            NamespaceTerminating?.Invoke(type, stored.Node);
        }
    }

    private void AfterDelete(ResourceType type, StoredObject stored)
    {
        // Orphaning and foreground deletion already released or removed the dependents; what still points here goes now.
        CollectDependents(stored);
        foreach (var owner in stored.Node["metadata"]?["ownerReferences"] as JsonArray ?? [])
        {
            if (owner is JsonObject reference && FindOwner(reference, stored.Namespace) is var (ownerType, ownerObject))
            {
                FinishForegroundDeletion(ownerType, ownerObject);
            }
        }

        if (type.Group == "apiextensions.k8s.io" && type.Kind == "CustomResourceDefinition")
        {
            var group = (string?)stored.Node["spec"]?["group"] ?? string.Empty;
            var plural = (string?)stored.Node["spec"]?["names"]?["plural"] ?? string.Empty;
            var key = group + "/" + plural;
            foreach (var o in Store.AllOf(key).ToList())
            {
                var rv = Store.NextResourceVersion();
                var node = o.CloneNode();
                ManagedFields.Meta(node)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
                Store.RemoveLocked(key, new StoredObject(node, rv));
            }

            Registry.UnregisterCrd(stored.Node);
        }

        if (type.Group.Length == 0 && type.Kind == "Service" && (string?)stored.Node["spec"]?["clusterIP"] is string ip)
        {
            _ips.Release(ip);
        }

        if (IsClusterRole(type))
        {
            AggregateClusterRoles(type);
        }
    }

    private static bool IsClusterRole(ResourceType type) => type.Group == "rbac.authorization.k8s.io" && type.Kind == "ClusterRole";

    private bool _aggregating;

    /// <summary>
    /// The ClusterRole aggregation controller: an aggregated role's <c>rules</c> are the rules of the ClusterRoles its
    /// <c>aggregationRule.clusterRoleSelectors</c> select (by selector, then by name, without duplicates), kept up to date
    /// whenever a ClusterRole changes.
    /// </summary>
    private void AggregateClusterRoles(ResourceType type)
    {
        if (_aggregating)
        {
            return;
        }

        _aggregating = true;
        try
        {
            // An aggregated role can select another aggregated role: repeat until nothing changes.
            for (var round = 0; round < 10; round++)
            {
                var roles = Store.AllOf(type.StorageKey).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
                var changed = false;
                foreach (var role in roles)
                {
                    if (role.Node["aggregationRule"]?["clusterRoleSelectors"] is not JsonArray selectors
                        || role.Node["metadata"]?["deletionTimestamp"] is not null)
                    {
                        continue;
                    }

                    var rules = new JsonArray();
                    foreach (var selector in selectors.OfType<JsonObject>().Select(LabelSelector.FromObject))
                    {
                        foreach (var selected in roles.Where(r => r.Name != role.Name && selector.Matches(LabelSelector.LabelsOf(r.Node))))
                        {
                            foreach (var rule in selected.Node["rules"] as JsonArray ?? [])
                            {
                                if (rule is not null && !rules.Any(r => JsonNode.DeepEquals(r, rule)))
                                {
                                    rules.Add(rule.DeepClone());
                                }
                            }
                        }
                    }

                    var current = role.Node["rules"] as JsonArray ?? [];
                    if (JsonNode.DeepEquals(current, rules))
                    {
                        continue;
                    }

                    Write(new WriteRequest
                    {
                        Type = type,
                        Kind = WriteKind.Patch,
                        Name = role.Name,
                        Manager = "kube-controller-manager",
                        Patch = (live, _) =>
                        {
                            live["rules"] = rules.DeepClone();
                            return live;
                        },
                    });
                    changed = true;
                }

                if (!changed)
                {
                    return;
                }
            }
        }
        finally
        {
            _aggregating = false;
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

        foreach (var (storageKey, ns, name) in Store.DependentsLocked(uid))
        {
            var type = Registry.All.FirstOrDefault(t => t.StorageKey == storageKey);
            var dependent = type is null ? null : Store.Get(storageKey, ns, name);
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
                    var policy = foreground && Store.DependentsLocked((string?)dependent.Node["metadata"]?["uid"] ?? string.Empty).Count > 0
                        ? "Foreground" : "Background";
                    Delete(type, ns, name, policy, null, null, false);
                }
            }
            catch (ApiException)
            {
                // Already gone.
            }
        }
    }

    private const string ForegroundDeletion = "foregroundDeletion";
    private const string OrphanFinalizer = "orphan";

    /// <summary>The propagation a DELETE without one gets: batch/v1 Jobs and v1 ReplicationControllers orphan their dependents (for compatibility), everything else deletes them in the background.</summary>
    private static string DefaultPropagation(ResourceType type) =>
        (type.Group + "/" + type.Version + "/" + type.Kind) is "batch/v1/Job" or "/v1/ReplicationController" ? "Orphan" : "Background";

    private static bool HasFinalizer(JsonObject obj, string finalizer) =>
        (obj["metadata"]?["finalizers"] as JsonArray ?? []).Any(f => (string?)f == finalizer);

    /// <summary>Finds the live object an ownerReference names (same namespace for namespaced owners), checking its uid.</summary>
    private (ResourceType Type, StoredObject Object)? FindOwner(JsonObject reference, string dependentNamespace)
    {
        var type = Registry.FindByKind((string?)reference["apiVersion"] ?? string.Empty, (string?)reference["kind"] ?? string.Empty);
        if (type is null || (string?)reference["name"] is not string name)
        {
            return null;
        }

        var owner = Store.Get(type.StorageKey, type.Namespaced ? dependentNamespace : string.Empty, name);
        return owner is not null && (string?)owner.Node["metadata"]?["uid"] == (string?)reference["uid"] ? (type, owner) : null;
    }

    /// <summary>The garbage collector's write: removes a dependent's ownerReference to <paramref name="ownerUid"/>.</summary>
    private void RemoveOwnerReference(ResourceType type, StoredObject dependent, string ownerUid) =>
        Write(new WriteRequest
        {
            Type = type,
            Kind = WriteKind.Patch,
            Namespace = dependent.Namespace,
            Name = dependent.Name,
            Manager = "kube-controller-manager",
            Patch = (live, _) =>
            {
                var meta = ManagedFields.Meta(live);
                if (meta["ownerReferences"] is JsonArray refs)
                {
                    for (var i = refs.Count - 1; i >= 0; i--)
                    {
                        if ((string?)refs[i]?["uid"] == ownerUid)
                        {
                            refs.RemoveAt(i);
                        }
                    }

                    if (refs.Count == 0)
                    {
                        meta.Remove("ownerReferences");
                    }
                }

                return live;
            },
        });

    /// <summary>The garbage collector's write: removes one of its finalizers (the object goes when it was the last).</summary>
    private void RemoveFinalizer(ResourceType type, StoredObject obj, string finalizer) =>
        Write(new WriteRequest
        {
            Type = type,
            Kind = WriteKind.Patch,
            Namespace = obj.Namespace,
            Name = obj.Name,
            Manager = "kube-controller-manager",
            Patch = (live, _) =>
            {
                var meta = ManagedFields.Meta(live);
                if (meta["finalizers"] is JsonArray list)
                {
                    for (var i = list.Count - 1; i >= 0; i--)
                    {
                        if ((string?)list[i] == finalizer)
                        {
                            list.RemoveAt(i);
                        }
                    }

                    if (list.Count == 0)
                    {
                        meta.Remove("finalizers");
                    }
                }

                return live;
            },
        });

    /// <summary>Orphan propagation: the dependents lose their reference to the owner, then the orphan finalizer goes.</summary>
    private void OrphanDependents(ResourceType type, StoredObject owner)
    {
        var uid = (string?)owner.Node["metadata"]?["uid"] ?? string.Empty;
        foreach (var (storageKey, ns, name) in Store.DependentsLocked(uid))
        {
            var dependentType = Registry.All.FirstOrDefault(t => t.StorageKey == storageKey);
            if (dependentType is not null && Store.Get(storageKey, ns, name) is StoredObject dependent)
            {
                RemoveOwnerReference(dependentType, dependent, uid);
            }
        }

        if (Store.Get(type.StorageKey, owner.Namespace, owner.Name) is StoredObject current && HasFinalizer(current.Node, OrphanFinalizer))
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
        var blocked = Store.DependentsLocked(uid).Any(d => Store.Get(d.StorageKey, d.Namespace, d.Name) is StoredObject dependent
            && (dependent.Node["metadata"]?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>()
                .Any(o => (string?)o["uid"] == uid && JsonValues.Bool(o["blockOwnerDeletion"])));
        if (!blocked && Store.Get(type.StorageKey, owner.Namespace, owner.Name) is StoredObject current)
        {
            RemoveFinalizer(type, current, ForegroundDeletion);
        }
    }

    private static bool IsCrd(ResourceType type) => type.Group == "apiextensions.k8s.io" && type.Kind == "CustomResourceDefinition";

    /// <summary>Whether the naming controller accepted a CRD's names: from then on its resources are served.</summary>
    public static bool NamesAccepted(JsonObject crd) =>
        (crd["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .Any(c => (string?)c["type"] is "NamesAccepted" or "Established" && (string?)c["status"] == "True");

    /// <summary>Serves the CRDs of a restored state and resumes establishing the ones not accepted yet.</summary>
    public void RestoreCrds()
    {
        var type = Registry.FindByKind("apiextensions.k8s.io/v1", "CustomResourceDefinition")!;
        lock (Store.Gate)
        {
            foreach (var crd in Store.AllOf(type.StorageKey).ToList())
            {
                AfterWrite(type, crd.Node, crd);
            }
        }
    }

    /// <summary>Stops the controllers' timers (the emulator stops).</summary>
    public void StopControllers()
    {
        lock (Store.Gate)
        {
            foreach (var timer in _establishing.Values)
            {
                timer.Dispose();
            }

            _establishing.Clear();
        }
    }

    /// <summary>
    /// The Go types serialize <c>status.conditions</c> and <c>acceptedNames.plural/kind</c> even when empty
    /// (<c>"conditions":null</c>), and in Go field order.
    /// </summary>
    private static void ShapeCrdStatus(JsonObject crd)
    {
        if (crd["status"] is not JsonObject status)
        {
            return;
        }

        var shaped = new JsonObject { ["conditions"] = status["conditions"]?.DeepClone() };
        var accepted = status["acceptedNames"] as JsonObject ?? new JsonObject();
        var names = new JsonObject { ["plural"] = accepted["plural"]?.DeepClone() ?? string.Empty };
        foreach (var (key, value) in accepted)
        {
            if (key != "plural")
            {
                names[key] = value?.DeepClone();
            }
        }

        names["kind"] ??= string.Empty;
        shaped["acceptedNames"] = names;
        shaped["storedVersions"] = status["storedVersions"]?.DeepClone() ?? new JsonArray();
        foreach (var (key, value) in status)
        {
            if (!shaped.ContainsKey(key))
            {
                shaped[key] = value?.DeepClone();
            }
        }

        crd["status"] = shaped;
    }

    /// <summary>The naming and establishing controllers run after the configured delay, on the emulator's clock.</summary>
    private void ScheduleEstablishment(ResourceType type, JsonObject crd)
    {
        var uid = (string?)crd["metadata"]?["uid"];
        var name = (string?)crd["metadata"]?["name"];
        if (uid is null || name is null || _establishing.ContainsKey(uid))
        {
            return;
        }

        if (_crdEstablishDelay <= TimeSpan.Zero)
        {
            Establish(type, name, uid);
            return;
        }

        _establishing[uid] = _time.CreateTimer(_ => Establish(type, name, uid), null, _crdEstablishDelay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Accepts the names (the resources are served from here on), then marks the CRD <c>Established</c>: two status writes, like a real server.</summary>
    private void Establish(ResourceType type, string name, string uid)
    {
        lock (Store.Gate)
        {
            if (_establishing.Remove(uid, out var timer))
            {
                timer.Dispose();
            }

            var live = Store.Get(type.StorageKey, string.Empty, name);
            if (live is null || (string?)live.Node["metadata"]?["uid"] != uid || live.Node["metadata"]?["deletionTimestamp"] is not null
                || NamesAccepted(live.Node))
            {
                return;
            }

            var now = Now();
            var accepting = live.CloneNode();
            var status = Defaults.Obj(accepting, "status");
            status["conditions"] = new JsonArray(
                Condition("NamesAccepted", "True", "NoConflicts", "no conflicts found", now),
                Condition("Established", "False", "Installing", "the initial names have been accepted", now));
            status["acceptedNames"] = accepting["spec"]?["names"]?.DeepClone();
            var accepted = WriteStatus(type, live, accepting, now);
            Registry.RegisterCrd(accepted.Node);

            var establishing = accepted.CloneNode();
            ((JsonArray)establishing["status"]!["conditions"]!)[1] =
                Condition("Established", "True", "InitialNamesAccepted", "the initial names have been accepted", now);
            WriteStatus(type, accepted, establishing, now);
        }
    }

    private StoredObject WriteStatus(ResourceType type, StoredObject live, JsonObject updated, string now)
    {
        ManagedFields.Update(live.Node, updated, type.Schema, "Go-http-client", type.ApiVersion, "status", now);
        ShapeCrdStatus(updated);
        var rv = Store.NextResourceVersion();
        ManagedFields.Meta(updated)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        var stored = new StoredObject(Normalize(updated), rv);
        Store.PutLocked(type.StorageKey, stored, false);
        return stored;
    }

    private static JsonObject Condition(string type, string status, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };

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
            var finalizers = meta["finalizers"] as JsonArray;
            if (finalizers is not null)
            {
                // No pod uses anything here: the protection controllers would release these at once.
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

            var isNamespace = type.Group.Length == 0 && type.Kind == "Namespace";
            // Orphan and foreground propagation: the API server marks the object with the garbage collector's finalizer;
            // the collector (run right after, synchronously) releases or deletes the dependents and then removes it.
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
                var stored = new StoredObject(Normalize(node), rv);
                Store.PutLocked(type.StorageKey, stored, false);
                AfterWrite(type, live.Node, stored);
                if (HasFinalizer(stored.Node, OrphanFinalizer))
                {
                    OrphanDependents(type, stored);
                }
                else if (HasFinalizer(stored.Node, ForegroundDeletion))
                {
                    CollectDependents(stored);
                    if (Store.Get(type.StorageKey, stored.Namespace, stored.Name) is StoredObject marked)
                    {
                        FinishForegroundDeletion(type, marked);
                    }
                }

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

    /// <summary>The namespace controller: deletes what a terminating namespace holds, then the namespace itself.</summary>
    public bool FinishNamespaceTermination(string ns)
    {
        var nsType = NamespaceType;
        foreach (var type in Registry.All.Where(t => t.Namespaced).GroupBy(t => t.StorageKey).Select(g => g.First()).ToList())
        {
            foreach (var o in Store.AllOf(type.StorageKey).Where(o => o.Namespace == ns).ToList())
            {
                try
                {
                    if (o.Node["metadata"]?["deletionTimestamp"] is null)
                    {
                        Delete(type, ns, o.Name, "Background", null, null, false);
                    }
                }
                catch (ApiException)
                {
                    // Already gone.
                }
            }
        }

        lock (Store.Gate)
        {
            foreach (var key in Store.StorageKeys)
            {
                var type = Registry.All.FirstOrDefault(t => t.StorageKey == key);
                if (type is { Namespaced: true } && Store.AllOf(key).Any(o => o.Namespace == ns))
                {
                    return false;
                }
            }

            var live = Store.Get(nsType.StorageKey, string.Empty, ns);
            if (live is null)
            {
                return true;
            }

            var node = live.CloneNode();
            if (node["spec"] is JsonObject spec)
            {
                spec["finalizers"] = new JsonArray();
            }

            if (node["metadata"]?["finalizers"] is JsonArray { Count: > 0 })
            {
                return false;
            }

            var rv = Store.NextResourceVersion();
            ManagedFields.Meta(node)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
            Store.RemoveLocked(nsType.StorageKey, new StoredObject(node, rv));
            return true;
        }
    }

    private static readonly string[] MetadataOrder =
        ["name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
         "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields"];

    /// <summary>Orders keys like the API server serializes them: kind, apiVersion, metadata (Go field order), then the rest.</summary>
    public static JsonObject Normalize(JsonObject obj)
    {
        var result = new JsonObject();
        foreach (var key in new[] { "kind", "apiVersion" })
        {
            if (obj.TryGetPropertyValue(key, out var v))
            {
                result[key] = v?.DeepClone();
            }
        }

        if (obj["metadata"] is JsonObject meta)
        {
            var m = new JsonObject();
            foreach (var key in MetadataOrder)
            {
                if (meta.TryGetPropertyValue(key, out var v))
                {
                    m[key] = v?.DeepClone();
                }
            }

            foreach (var (key, v) in meta)
            {
                if (!m.ContainsKey(key))
                {
                    m[key] = v?.DeepClone();
                }
            }

            result["metadata"] = m;
        }

        foreach (var (key, v) in obj)
        {
            if (!result.ContainsKey(key))
            {
                result[key] = v?.DeepClone();
            }
        }

        return result;
    }
}

/// <summary>Allocates Service cluster IPs from 10.96.0.0/12 like a default cluster.</summary>
internal sealed class ClusterIpAllocator
{
    private readonly HashSet<uint> _used = [];
    private uint _next = (10u << 24) | (96u << 16) | 10;

    public string Allocate()
    {
        var ip = Peek();
        _used.Add(Parse(ip));
        return ip;
    }

    public string Peek()
    {
        var candidate = _next;
        while (_used.Contains(candidate))
        {
            candidate++;
        }

        _next = candidate;
        return Format(candidate);
    }

    public void Release(string ip) => _used.Remove(Parse(ip));

    private static uint Parse(string ip)
    {
        var parts = ip.Split('.');
        return parts.Length != 4 ? 0 : parts.Aggregate(0u, (acc, p) => (acc << 8) | (uint.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : 0));
    }

    private static string Format(uint ip) => string.Create(CultureInfo.InvariantCulture, $"{ip >> 24}.{(ip >> 16) & 255}.{(ip >> 8) & 255}.{ip & 255}");
}
