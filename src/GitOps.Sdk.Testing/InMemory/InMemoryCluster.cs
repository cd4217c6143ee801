using System.Globalization;
using System.Reactive.Subjects;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.InMemory;

/// <summary>
/// A small in-memory stand-in for a cluster: stores objects by key, keeps <c>resourceVersion</c>, <c>uid</c>,
/// <c>generation</c> and <c>managedFields</c> (per field manager, so drift is attributed), and raises
/// <see cref="ILiveState.Changes"/> for watched kinds. "Another actor" edits go through <see cref="Update"/>,
/// <see cref="Put"/> and <see cref="Delete"/>. Pair with <see cref="InMemoryResourceWriter"/>.
/// </summary>
/// <remarks>Thread-safe. For the real API machinery (HTTP, watch streams, server-side apply) use the API emulator.</remarks>
public sealed class InMemoryCluster : ILiveState, IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ResourceKey, Entry> _objects = [];
    private readonly HashSet<GroupKind> _watched = [];
    private readonly Subject<LiveChange> _changes = new();
    private readonly TimeProvider _time;
    private long _resourceVersion;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="timeProvider">The clock for managed-field times. <value>Default: <see cref="TimeProvider.System"/>.</value></param>
    public InMemoryCluster(TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public IObservable<LiveChange> Changes => _changes;

    /// <summary>Gets the number of objects.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _objects.Count;
            }
        }
    }

    /// <summary>Returns every stored object.</summary>
    /// <returns>The objects, sorted by key.</returns>
    public IReadOnlyList<KubeObject> List()
    {
        lock (_lock)
        {
            return [.. _objects.OrderBy(static p => p.Key).Select(static p => p.Value.Object)];
        }
    }

    /// <summary>Returns one object, or <see langword="null"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The object.</returns>
    public KubeObject? Find(ResourceKey key)
    {
        lock (_lock)
        {
            return _objects.TryGetValue(key, out var e) ? e.Object : null;
        }
    }

    /// <inheritdoc />
    public ValueTask<KubeObject?> GetAsync(ResourceKey key, string apiVersion, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Find(key));

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<ResourceKey, KubeObject>> GetManyAsync(
        IReadOnlyCollection<(ResourceKey Key, string ApiVersion)> objects,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var result = new Dictionary<ResourceKey, KubeObject>();
        lock (_lock)
        {
            foreach (var (key, _) in objects)
            {
                if (_objects.TryGetValue(key, out var e))
                {
                    result[key] = e.Object;
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyDictionary<ResourceKey, KubeObject>>(result);
    }

    /// <inheritdoc />
    public ValueTask WatchAsync(GroupKind groupKind, string apiVersion, string? @namespace, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _watched.Add(groupKind);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Another actor replaces (or creates) an object, as <c>kubectl replace</c>/<c>create</c> would.</summary>
    /// <param name="obj">The object.</param>
    /// <param name="fieldManager">Who writes it. <value>Default: <c>kubectl</c>.</value></param>
    /// <returns>The stored object.</returns>
    public KubeObject Put(KubeObject obj, string fieldManager = "kubectl")
    {
        ArgumentNullException.ThrowIfNull(obj);
        return Write(obj.Key, _ => obj.ToJsonObject(), fieldManager, "Update", ownAll: false).Object!;
    }

    /// <summary>Another actor edits an object, as <c>kubectl edit</c>/<c>patch</c> would; the changed fields become theirs.</summary>
    /// <param name="key">The object.</param>
    /// <param name="mutate">The edit.</param>
    /// <param name="fieldManager">Who edits it. <value>Default: <c>kubectl-edit</c>.</value></param>
    /// <returns>The stored object.</returns>
    /// <exception cref="KeyNotFoundException">The object does not exist.</exception>
    public KubeObject Update(ResourceKey key, Action<JsonObject> mutate, string fieldManager = "kubectl-edit")
    {
        ArgumentNullException.ThrowIfNull(mutate);
        return Write(
            key,
            current =>
            {
                var node = (current ?? throw new KeyNotFoundException($"{key} does not exist")).ToJsonObject();
                mutate(node);
                return node;
            },
            fieldManager,
            "Update",
            ownAll: false).Object!;
    }

    /// <summary>Deletes an object (another actor, or a prune).</summary>
    /// <param name="key">The object.</param>
    /// <returns><see langword="true"/> when it existed.</returns>
    public bool Delete(ResourceKey key)
    {
        bool existed;
        bool watched;
        lock (_lock)
        {
            existed = _objects.Remove(key);
            watched = _watched.Contains(key.GroupKind);
        }

        if (existed && watched)
        {
            _changes.OnNext(new LiveChange(key, LiveChangeType.Deleted, Interlocked.Increment(ref _resourceVersion).ToString(CultureInfo.InvariantCulture)));
        }

        return existed;
    }

    /// <summary>Applies <paramref name="desired"/> with server-side-apply semantics (simplified): the manager's fields are set, fields it set before and no longer sets are removed, other managers' fields stay; a field another manager owns with a different value is a conflict unless <paramref name="force"/>.</summary>
    /// <param name="desired">The desired object.</param>
    /// <param name="fieldManager">The field manager.</param>
    /// <param name="force">Whether conflicts are overridden.</param>
    /// <param name="dryRun">Whether nothing is stored.</param>
    /// <returns>The outcome and the resulting object, or a conflict message.</returns>
    public (ApplyOutcome Outcome, KubeObject? Object, string? Message) Apply(KubeObject desired, string fieldManager, bool force, bool dryRun = false)
    {
        ArgumentNullException.ThrowIfNull(desired);
        lock (_lock)
        {
            _objects.TryGetValue(desired.Key, out var existing);
            var desiredFields = FieldPaths.Leaves(desired.Json);
            if (existing is not null && !force)
            {
                foreach (var (manager, owned) in existing.Managers)
                {
                    if (manager == fieldManager)
                    {
                        continue;
                    }

                    foreach (var path in owned.Paths)
                    {
                        if (desiredFields.TryGetValue(path, out var value) && FieldPaths.Leaves(existing.Object.Json).TryGetValue(path, out var liveValue) && value != liveValue)
                        {
                            return (ApplyOutcome.Failed, null, $"Apply failed with 1 conflict: conflict with \"{manager}\": {path}");
                        }
                    }
                }
            }

            JsonObject merged;
            if (existing is null)
            {
                merged = desired.ToJsonObject();
            }
            else
            {
                merged = existing.Object.ToJsonObject();
                if (existing.Managers.TryGetValue(fieldManager, out var before))
                {
                    foreach (var path in before.Paths)
                    {
                        if (!desiredFields.ContainsKey(path) && !existing.Managers.Any(m => m.Key != fieldManager && m.Value.Paths.Contains(path)))
                        {
                            FieldPaths.RemovePath(merged, path);
                        }
                    }
                }

                FieldPaths.Merge(merged, desired.ToJsonObject());
            }

            var unchanged = existing is not null && FieldPaths.SameContent(existing.Object, merged);
            if (unchanged)
            {
                return (ApplyOutcome.Unchanged, existing!.Object, null);
            }

            if (dryRun)
            {
                return (existing is null ? ApplyOutcome.Created : ApplyOutcome.Configured, KubeObject.FromNode(merged), null);
            }
        }

        var written = Write(desired.Key, _ => KubeObjectNode(desired, merged: null), fieldManager, "Apply", ownAll: true, applied: desired);
        return (written.Created ? ApplyOutcome.Created : ApplyOutcome.Configured, written.Object, null);
    }

    /// <summary>Completes the change stream.</summary>
    public void Dispose()
    {
        _changes.OnCompleted();
        _changes.Dispose();
    }

    private static JsonObject KubeObjectNode(KubeObject desired, JsonObject? merged) => merged ?? desired.ToJsonObject();

    private (KubeObject? Object, bool Created) Write(
        ResourceKey key,
        Func<KubeObject?, JsonObject> produce,
        string fieldManager,
        string operation,
        bool ownAll,
        KubeObject? applied = null)
    {
        LiveChange change;
        KubeObject result;
        bool created;
        lock (_lock)
        {
            _objects.TryGetValue(key, out var existing);
            JsonObject node;
            if (applied is not null)
            {
                // Server-side apply: recompute the merge under the lock.
                node = existing?.Object.ToJsonObject() ?? applied.ToJsonObject();
                if (existing is not null)
                {
                    var desiredFields = FieldPaths.Leaves(applied.Json);
                    if (existing.Managers.TryGetValue(fieldManager, out var before))
                    {
                        foreach (var path in before.Paths)
                        {
                            if (!desiredFields.ContainsKey(path) && !existing.Managers.Any(m => m.Key != fieldManager && m.Value.Paths.Contains(path)))
                            {
                                FieldPaths.RemovePath(node, path);
                            }
                        }
                    }

                    FieldPaths.Merge(node, applied.ToJsonObject());
                }
            }
            else
            {
                node = produce(existing?.Object);
            }

            created = existing is null;
            var now = _time.GetUtcNow();
            var metadata = node["metadata"] as JsonObject ?? new JsonObject();
            node["metadata"] = metadata;
            metadata.Remove("managedFields");
            var rv = Interlocked.Increment(ref _resourceVersion).ToString(CultureInfo.InvariantCulture);
            metadata["resourceVersion"] = rv;
            metadata["uid"] = existing?.Uid ?? Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = existing?.Created ?? now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            var generation = existing?.Generation ?? 1;
            if (existing is not null && !FieldPaths.SameSpec(existing.Object, node))
            {
                generation++;
            }

            metadata["generation"] = generation;

            var managers = existing?.Managers.ToDictionary(static p => p.Key, static p => p.Value) ?? [];
            var newLeaves = FieldPaths.Leaves(JsonSerializer.SerializeToElement(node));
            var oldLeaves = existing is null ? [] : FieldPaths.Leaves(existing.Object.Json);
            HashSet<string> mine;
            if (ownAll)
            {
                mine = [.. FieldPaths.Leaves(applied!.Json).Keys];
            }
            else
            {
                mine = [.. newLeaves.Where(p => !oldLeaves.TryGetValue(p.Key, out var old) || old != p.Value).Select(static p => p.Key)];
                if (managers.TryGetValue(fieldManager, out var previous))
                {
                    mine.UnionWith(previous.Paths.Where(newLeaves.ContainsKey));
                }
            }

            foreach (var (manager, owned) in managers.ToList())
            {
                if (manager == fieldManager)
                {
                    continue;
                }

                var rest = owned.Paths.Where(p => newLeaves.ContainsKey(p) && (!mine.Contains(p) || !ownAll)).ToHashSet();
                rest.ExceptWith(mine);
                if (rest.Count == 0)
                {
                    managers.Remove(manager);
                }
                else
                {
                    managers[manager] = owned with { Paths = rest };
                }
            }

            managers[fieldManager] = new Owned(operation, now, mine);
            metadata["managedFields"] = ManagedFields(managers);
            result = KubeObject.FromNode(node);
            _objects[key] = new Entry(result, (string)metadata["uid"]!, (string)metadata["creationTimestamp"]!, generation, managers);
            change = new LiveChange(key, created ? LiveChangeType.Added : LiveChangeType.Modified, rv);
            if (!_watched.Contains(key.GroupKind))
            {
                return (result, created);
            }
        }

        _changes.OnNext(change);
        return (result, created);
    }

    private static JsonArray ManagedFields(Dictionary<string, Owned> managers)
    {
        var array = new JsonArray();
        foreach (var (manager, owned) in managers.OrderBy(static m => m.Key, StringComparer.Ordinal))
        {
            var fields = new JsonObject();
            foreach (var path in owned.Paths.Order(StringComparer.Ordinal))
            {
                var current = fields;
                foreach (var segment in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
                {
                    var name = "f:" + segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                    if (current[name] is not JsonObject next)
                    {
                        next = new JsonObject();
                        current[name] = next;
                    }

                    current = next;
                }
            }

            array.Add(new JsonObject
            {
                ["manager"] = manager,
                ["operation"] = owned.Operation,
                ["apiVersion"] = "v1",
                ["time"] = owned.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = fields,
            });
        }

        return array;
    }

    private sealed record Entry(KubeObject Object, string Uid, string Created, long Generation, Dictionary<string, Owned> Managers);

    private sealed record Owned(string Operation, DateTimeOffset Time, HashSet<string> Paths);
}
