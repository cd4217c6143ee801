using System.Runtime.CompilerServices;
using GitOps.Sdk.Manifests;
using System.Text.Json;

namespace GitOps.Sdk.Diff;

/// <summary>
/// The default <see cref="IDiffEngine"/>: exact drift detection against objects as the API server returns them.
/// A pure function of its arguments — no I/O, no clock, no mutable state — so one instance serves every thread.
/// </summary>
/// <remarks>
/// <para>What counts as drift:</para>
/// <list type="bullet">
/// <item>Only fields the desired object sets are compared; fields only present live are server defaults or other
/// managers' fields. Server-owned metadata (<c>uid</c>, <c>resourceVersion</c>, <c>generation</c>,
/// <c>creationTimestamp</c>, <c>managedFields</c>, <c>selfLink</c>), <c>status</c>, <c>apiVersion</c> and <c>kind</c> are not compared.</item>
/// <item>Three-way: a field the previous apply set (from <c>lastApplied</c>, or else from the live <c>managedFields</c>
/// entry of <see cref="DiffOptions.FieldManager"/> with operation <c>Apply</c>) that desired no longer sets but live still
/// has is drift (<see cref="FieldChangeKind.Removed"/>). Its pointer names the field at its place in desired; a removed
/// list item carries its position in live.</item>
/// <item>Lists with merge keys in the built-in API types (containers, initContainers and ephemeralContainers, env and
/// imagePullSecrets by name; container ports by containerPort+protocol and Service ports by port+protocol, protocol
/// defaulting to TCP; volumes by name, volumeMounts by mountPath, volumeDevices by devicePath; hostAliases by ip;
/// topologySpreadConstraints by topologyKey+whenUnsatisfiable; ownerReferences by uid; webhooks by name; …) pair items
/// by key. A port whose key changed is paired by its name, so the change reads as <c>/spec/ports/0/port</c>. Other lists
/// are atomic: equal length, then item by item. <c>finalizers</c> is a set.</item>
/// <item>Semantic equality: resource quantities by amount (<c>500m</c> = <c>0.5</c>, <c>1Gi</c> = <c>1073741824</c>),
/// numbers by value (<c>1</c> = <c>1.0</c>), int-or-string (<c>"8080"</c> = <c>8080</c>), a desired empty value
/// (<c>""</c>, <c>[]</c>, <c>{}</c>, <c>false</c>, <c>0</c>, <c>null</c>) equals an absent one, except volume sources such as
/// <c>emptyDir: {}</c>; Secret <c>stringData</c> compares with the base64 <c>data</c> the server stores.</item>
/// <item>Ignore rules (<see cref="DiffOptions.IgnoreRules"/>): JSON pointers with <c>*</c> segments, and fields owned by named
/// field managers, each for the objects their group/kind/namespace/name patterns select.</item>
/// </list>
/// <para>An unchanged object is decided without allocating per field; the result then carries no normalized objects.
/// A changed object carries every field change with its attribution (which manager owns the live value, from
/// <c>managedFields</c>), and normalized objects for display, with Secret values masked. The input objects are never
/// modified, so masking cannot leak into what is applied.</para>
/// </remarks>
/// <example>
/// <code>
/// IDiffEngine engine = new DiffEngine();
/// var options = DiffOptions.Default with
/// {
///     IgnoreRules = [new IgnoreRule { Group = "apps", Kind = "Deployment", ManagedFieldsManagers = ["hpa-controller"] }],
/// };
/// ResourceDiff diff = engine.Diff(desired, live, lastApplied: null, options);
/// foreach (var change in diff.Changes)
/// {
///     Console.WriteLine(change); // spec.replicas: live 5 → desired 2 (live value by kubectl-scale)
/// }
///
/// Console.Write(engine.FormatUnified(diff));
/// </code>
/// </example>
public sealed class DiffEngine : IDiffEngine
{
    private readonly ConditionalWeakTable<KubeObject, DiffMemo>? _memos;
    private readonly bool _fingerprints;

    /// <summary>Initializes a new instance of the <see cref="DiffEngine"/> class.</summary>
    public DiffEngine()
        : this(memoize: true)
    {
    }

    /// <summary>Initializes a new instance, optionally without the result memo or the unchanged fingerprints (benchmarks measure each layer).</summary>
    internal DiffEngine(bool memoize, bool fingerprints = false)
    {
        _memos = memoize ? [] : null;
        _fingerprints = memoize || fingerprints;
    }

    /// <summary>Gets a shared instance.</summary>
    public static DiffEngine Instance { get; } = new();

    /// <inheritdoc />
    public ResourceDiff Diff(KubeObject? desired, KubeObject? live, KubeObject? lastApplied, DiffOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (desired is null && live is null)
        {
            throw new ArgumentException("Either the desired or the live object must be given.", nameof(desired));
        }

        if (desired is not null && live is not null && desired.Key.GroupKind != live.Key.GroupKind)
        {
            throw new ArgumentException($"Desired {desired.Key} and live {live.Key} are not the same kind of object.", nameof(live));
        }

        if (desired is null)
        {
            var stripped = KubeObject.FromNode(DisplayProjection.Strip(live!));
            return new ResourceDiff
            {
                Key = live!.Key,
                Action = DiffAction.Prune,
                Changes = [new FieldChange("/", FieldChangeKind.Removed, null, stripped.ToJsonString())],
                NormalizedLive = stripped,
            };
        }

        if (live is null)
        {
            var stripped = KubeObject.FromNode(DisplayProjection.Strip(desired));
            return new ResourceDiff
            {
                Key = desired.Key,
                Action = DiffAction.Create,
                Changes = [new FieldChange("/", FieldChangeKind.Added, stripped.ToJsonString(), null)],
                NormalizedDesired = stripped,
            };
        }

        if (_memos is null)
        {
            return _fingerprints ? Compare(desired, live, lastApplied, options) : Walk(desired, live, lastApplied, options, out _);
        }

        // KubeObject is immutable, so a result computed for these very instances stays valid as long as they live: a
        // reconcile that sees the same watch-cache object and the same rendered object again costs one table lookup.
        var memo = _memos.GetOrCreateValue(live);
        if (memo.TryGet(desired, lastApplied, options) is { } remembered)
        {
            return remembered;
        }

        var result = Compare(desired, live, lastApplied, options);
        memo.Add(desired, lastApplied, options, result);
        return result;
    }

    private static ResourceDiff Compare(KubeObject desired, KubeObject live, KubeObject? lastApplied, DiffOptions options)
    {
        // A new live object whose compared bytes equal those of one already found unchanged (a watch event that moved
        // only status or resourceVersion) needs no walk.
        if (UnchangedFingerprints.IsKnownUnchanged(desired, live, lastApplied, options))
        {
            return new ResourceDiff { Key = desired.Key, Action = DiffAction.Unchanged };
        }

        var decision = Walk(desired, live, lastApplied, options, out var walkedUnchanged);
        if (walkedUnchanged)
        {
            UnchangedFingerprints.Remember(desired, live, lastApplied, options);
        }

        return decision;
    }

    /// <summary>Walks the pair; <paramref name="unchangedByWalk"/> is set when the walk alone (no manager rule) found no drift.</summary>
    internal static ResourceDiff Walk(KubeObject desired, KubeObject live, KubeObject? lastApplied, DiffOptions options, out bool unchangedByWalk)
    {
        unchangedByWalk = false;
        var rules = CompiledIgnoreRules.For(options);
        var pointers = rules.Select(desired.Key, out var managers);
        if (pointers != 0 && rules.IgnoresWholeObject(pointers))
        {
            return new ResourceDiff { Key = desired.Key, Action = DiffAction.Unchanged };
        }

        var schema = SchemaNode.ForKind(desired.Group, desired.Kind);
        var isSecret = desired.IsSecret;
        var detector = new DiffWalker(rules, isSecret, collector: null);
        if (!Differs(detector, desired, live, lastApplied, schema, pointers, options.FieldManager))
        {
            unchangedByWalk = true;
            return new ResourceDiff { Key = desired.Key, Action = DiffAction.Unchanged };
        }

        var collector = new ChangeCollector(ManagedFieldsEntry.ReadAll(live.Json), rules, managers, isSecret);
        Differs(new DiffWalker(rules, isSecret, collector), desired, live, lastApplied, schema, pointers, options.FieldManager);
        if (collector.Changes.Count == 0)
        {
            return new ResourceDiff { Key = desired.Key, Action = DiffAction.Unchanged };
        }

        var (normalizedDesired, normalizedLive) = new DisplayProjection(isSecret).Project(desired, collector.Changes);
        return new ResourceDiff
        {
            Key = desired.Key,
            Action = DiffAction.Update,
            Changes = [.. collector.Changes],
            NormalizedDesired = KubeObject.FromNode(normalizedDesired),
            NormalizedLive = KubeObject.FromNode(normalizedLive),
        };
    }

    /// <inheritdoc />
    public string FormatUnified(ResourceDiff diff, int contextLines = 3)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentOutOfRangeException.ThrowIfNegative(contextLines);
        if (!diff.HasDrift)
        {
            return string.Empty;
        }

        var liveYaml = diff.NormalizedLive is null ? string.Empty : ManifestWriter.ToYaml(diff.NormalizedLive.Json);
        var desiredYaml = diff.NormalizedDesired is null ? string.Empty : ManifestWriter.ToYaml(diff.NormalizedDesired.Json);
        var key = diff.Key;
        var name = key.Namespace.Length == 0 ? $"{key.GroupKind}/{key.Name}" : $"{key.GroupKind}/{key.Namespace}/{key.Name}";
        return UnifiedDiff.Format(liveYaml, desiredYaml, "live/" + name, "desired/" + name, contextLines);
    }

    private static bool Differs(in DiffWalker walker, KubeObject desired, KubeObject live, KubeObject? lastApplied, SchemaNode schema, ulong pointers, string fieldManager)
    {
        var differs = walker.Root(desired.Json, live.Json, schema, pointers);
        if (differs && walker.IsDetecting)
        {
            return true;
        }

        if (lastApplied is not null)
        {
            return walker.LastApplied(lastApplied.Json, desired.Json, live.Json, schema, pointers, 0) || differs;
        }

        var owned = ManagedFieldsEntry.FindApplied(live.Json, fieldManager);
        return (owned.ValueKind == JsonValueKind.Object && walker.OwnedFields(owned, desired.Json, live.Json, schema, pointers, 0)) || differs;
    }
}

/// <summary>The last results computed for one live object instance (a few, for several desired revisions or options).</summary>
internal sealed class DiffMemo
{
    private const int Capacity = 4;
    private Entry[] _entries = [];

    public ResourceDiff? TryGet(KubeObject desired, KubeObject? lastApplied, DiffOptions options)
    {
        foreach (var e in Volatile.Read(ref _entries))
        {
            if (ReferenceEquals(e.Desired, desired) && ReferenceEquals(e.LastApplied, lastApplied) && ReferenceEquals(e.Options, options))
            {
                return e.Result;
            }
        }

        return null;
    }

    public void Add(KubeObject desired, KubeObject? lastApplied, DiffOptions options, ResourceDiff result)
    {
        var entry = new Entry(desired, lastApplied, options, result);
        while (true)
        {
            var current = Volatile.Read(ref _entries);
            Entry[] next = current.Length < Capacity ? [entry, .. current] : [entry, .. current.AsSpan(0, Capacity - 1)];
            if (Interlocked.CompareExchange(ref _entries, next, current) == current)
            {
                return;
            }
        }
    }

    private sealed record Entry(KubeObject Desired, KubeObject? LastApplied, DiffOptions Options, ResourceDiff Result);
}
