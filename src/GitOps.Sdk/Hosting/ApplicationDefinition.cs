using System.Collections.Immutable;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// One application: a source, a path in it, how to render it, where it goes and how it is kept in sync. Immutable: derive
/// a changed definition with <c>with</c>. Two definitions are equal when every setting is equal (collections compared by
/// content), which is how the scheduler tells a changed application, whose reconcile loop restarts, from an unchanged one.
/// </summary>
/// <example>
/// <code>
/// var shop = new ApplicationDefinition
/// {
///     Name = "shop",
///     Source = new SourceReference { Url = "https://git.example.com/shop/deploy.git", Ref = "main" },
///     Path = "apps/shop",
///     Namespace = "shop",
///     AllowedNamespaces = ["shop", "shop-*"],
///     CommonLabels = ImmutableDictionary&lt;string, string&gt;.Empty.Add("team", "shop"),
/// };
/// var strict = shop with { Prune = false, Mode = ReconcileMode.DetectOnly };
/// </code>
/// </example>
public sealed record ApplicationDefinition
{
    /// <summary>Gets the application's unique name (a DNS label: lowercase letters, digits, '-', at most 63 characters).</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>
    /// Gets who the application belongs to beyond its name, when its source can tell two applications of the same name
    /// apart (the <c>GitOpsApplication</c> resources: <c>GitOpsApplication team-a/shop</c>). It is recorded in the
    /// inventory; an application whose owner is not the inventory's writer treats the recorded objects as another
    /// owner's (it applies, prunes and adopts nothing while they exist, unless <see cref="AllowTakeover"/>), and a
    /// definition with another owner is a new application, not a changed one.
    /// <value>Default: <see langword="null"/> (the name alone: the configuration's applications).</value>
    /// </summary>
    public string? Owner { get; init; }

    /// <summary>Gets where desired state comes from.</summary>
    public SourceReference? Source { get; init; }

    /// <summary>Gets the path inside the source; when set it replaces <see cref="SourceReference.Path"/>.</summary>
    public string? Path { get; init; }

    /// <summary>Gets the renderer (<c>auto</c>, <c>plain</c>, <c>kustomize</c>, <c>helm</c> or a custom name). <value>Default: <c>auto</c>.</value></summary>
    public string Renderer { get; init; } = "auto";

    /// <summary>
    /// Gets the name of the cluster the application is reconciled into: a target added with
    /// <c>AddKubernetesTarget("prod", …)</c>, or <see langword="null"/> for the default (unnamed) target. Each target has
    /// its own connection, discovery, watch caches, inventories and concurrency limit, so a cluster that is down or slow
    /// holds up only its own applications. An application naming a target that is not registered fails to start (or,
    /// when it arrives later from an application source, fails every reconcile with a message naming the target).
    /// <value>Default: <see langword="null"/> (the default target).</value>
    /// </summary>
    public string? Target { get; init; }

    /// <summary>Gets the target namespace for namespaced objects that declare none.</summary>
    public string? Namespace { get; init; }

    /// <summary>
    /// Gets a value indicating whether the target <see cref="Namespace"/> is created first (as a Namespace object
    /// owned and marked like every other object of the application) when the source does not declare it. Without it,
    /// objects aimed at a namespace that does not exist fail with an error naming this option.
    /// <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool CreateNamespace { get; init; }

    /// <summary>Gets labels added to every rendered object.</summary>
    public ImmutableDictionary<string, string> CommonLabels { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Gets variables for <c>${VAR}</c> substitution; substitution runs when any are given.</summary>
    public ImmutableDictionary<string, string> Variables { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>Gets renderer-specific settings as plain strings.</summary>
    public ImmutableDictionary<string, string> RenderProperties { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>
    /// Gets typed renderer-specific settings keyed by renderer name, passed on as <see cref="RenderOptions.RendererOptions"/>:
    /// the Helm package's <c>HelmRenderOptions</c> (release name, values, value files, hooks) under <c>helm</c>, for
    /// example through its <c>WithHelm</c> helper. Configuration fills them through the registered
    /// <see cref="IRendererOptionsBinder"/>s.
    /// </summary>
    public ImmutableDictionary<string, IRendererOptions> RendererOptions { get; init; } = ImmutableDictionary.Create<string, IRendererOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets how often the application is reconciled when nothing triggers it sooner. <value>Default: 5 minutes.</value></summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets the first retry delay after a failed reconcile; it doubles with each further failure. <value>Default: 5 seconds.</value></summary>
    public TimeSpan MinRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the longest retry delay after failures. <value>Default: 5 minutes.</value></summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets a value indicating whether objects removed from the source are deleted. <value>Default: <see langword="true"/>.</value></summary>
    public bool Prune { get; init; } = true;

    /// <summary>Gets a value indicating whether an empty render may prune everything. <value>Default: <see langword="false"/>.</value></summary>
    public bool AllowEmptyPrune { get; init; }

    /// <summary>Gets a value indicating whether immutable-field changes may delete and recreate objects. <value>Default: <see langword="false"/>.</value></summary>
    public bool AllowRecreate { get; init; }

    /// <summary>Gets a value indicating whether live objects without an ownership mark may be taken over. <value>Default: <see langword="false"/>.</value></summary>
    public bool AllowAdoption { get; init; }

    /// <summary>
    /// Gets a value indicating whether live objects whose ownership label names another application may be
    /// taken over (the other application's inventory then no longer governs them), and whether an inventory another
    /// <see cref="Owner"/> wrote is taken over with the objects it records. <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool AllowTakeover { get; init; }

    /// <summary>
    /// Gets a value indicating whether a Namespace removed from the source is pruned even though it still holds
    /// objects outside this prune set (deleting a Namespace deletes everything in it). <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool AllowNonEmptyNamespacePrune { get; init; }

    /// <summary>
    /// Gets a value indicating whether a CustomResourceDefinition removed from the source is pruned even though
    /// custom resources of it still exist (deleting a CRD deletes all of them, cluster-wide). <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool AllowCrdPruneWithResources { get; init; }

    /// <summary>
    /// Gets a value indicating whether fields another field manager changed are taken back (server-side apply
    /// with forced conflicts), which is what drift correction needs. <value>Default: <see langword="true"/>.</value>
    /// </summary>
    public bool ForceConflicts { get; init; } = true;

    /// <summary>
    /// Gets the namespaces the application's namespaced objects may target: names or <c>prefix*</c> patterns, <c>*</c>
    /// for any. A revision with an object elsewhere is refused as a whole.
    /// <value>Default: empty, meaning only <see cref="Namespace"/> when it is set, and any namespace when it is not.</value>
    /// </summary>
    public ImmutableArray<string> AllowedNamespaces { get; init; } = [];

    /// <summary>
    /// Gets the cluster-scoped kinds the application may declare: <c>Kind</c> (core group), <c>Kind.group</c> (for
    /// example <c>ClusterRole.rbac.authorization.k8s.io</c>), <c>*.group</c> or <c>*</c>; the host's
    /// <see cref="GitOpsOptions.AllowedClusterKinds"/> are added. A Namespace named after an allowed namespace needs no entry.
    /// <value>Default: empty (no cluster-scoped kind beyond the host's).</value>
    /// </summary>
    public ImmutableArray<string> AllowedClusterKinds { get; init; } = [];

    /// <summary>
    /// Gets kinds the application may never declare (same syntax as <see cref="AllowedClusterKinds"/>), in addition to the
    /// host's <see cref="GitOpsOptions.DeniedKinds"/>. <value>Default: empty.</value>
    /// </summary>
    public ImmutableArray<string> DeniedKinds { get; init; } = [];

    /// <summary>
    /// Gets a value indicating whether the application may declare RoleBindings and ClusterRoleBindings to the
    /// <c>cluster-admin</c> ClusterRole. <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool AllowClusterAdminBindings { get; init; }

    /// <summary>Gets the application's ignore rules, applied after the global ones.</summary>
    public ImmutableArray<IgnoreRule> IgnoreRules { get; init; } = [];

    /// <summary>Gets whether drift is corrected or only reported. <value>Default: <see cref="ReconcileMode.Correct"/>.</value></summary>
    public ReconcileMode Mode { get; init; } = ReconcileMode.Correct;

    /// <summary>Gets a value indicating whether the application starts suspended (no scheduled reconciles). <value>Default: <see langword="false"/>.</value></summary>
    public bool Suspended { get; init; }

    /// <summary>
    /// Gets the names of the applications this one depends on. It reconciles only while each of them is ready at the
    /// revision it last worked on (its last reconcile succeeded and applied that revision), healthy and not suspended;
    /// otherwise it waits, and its Ready condition says for what (reason <c>DependencyNotReady</c>). Dependencies that
    /// form a cycle are refused. <value>Default: empty.</value>
    /// </summary>
    public ImmutableArray<string> DependsOn { get; init; } = [];

    /// <summary>Gets a value indicating whether a reconcile waits after apply until every object is healthy. <value>Default: <see langword="false"/>.</value></summary>
    public bool WaitForHealth { get; init; }

    /// <summary>Gets how long to wait for health when <see cref="WaitForHealth"/> is set. <value>Default: 5 minutes.</value></summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets a value indicating whether, within a sync, the objects of a sync wave must be healthy before the next wave
    /// is applied (as Argo CD does between waves). A wave that does not become healthy within
    /// <see cref="WaveHealthTimeout"/> stops the sync: later waves and prunes are not carried out, and the run fails
    /// with reason <c>WaveNotHealthy</c> naming each unhealthy object with its health message.
    /// <value>Default: <see langword="false"/> (waves are applied one after another without waiting).</value>
    /// </summary>
    public bool WaveHealthGate { get; init; }

    /// <summary>Gets how long one wave may take to become healthy when <see cref="WaveHealthGate"/> is set. <value>Default: 5 minutes.</value></summary>
    public TimeSpan WaveHealthTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets how long the sync hooks of one wave (docs/sync-hooks.md) may run before they count as failed: a Job must be
    /// complete, a Pod succeeded, any other kind healthy. <value>Default: 10 minutes.</value>
    /// </summary>
    public TimeSpan HookTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Returns the source reference with <see cref="Path"/> applied.</summary>
    /// <returns>The effective reference.</returns>
    /// <exception cref="InvalidOperationException"><see cref="Source"/> is not set.</exception>
    public SourceReference GetEffectiveSource()
    {
        var source = Source ?? throw new InvalidOperationException($"GitOps application '{Name}': Source is required.");
        return Path is null ? source : source with { Path = Path };
    }

    /// <summary>Returns the render options this definition describes.</summary>
    /// <returns>The render options.</returns>
    public RenderOptions ToRenderOptions() => new()
    {
        ApplicationName = Name,
        Renderer = string.IsNullOrEmpty(Renderer) ? "auto" : Renderer,
        Namespace = Namespace,
        CreateNamespace = CreateNamespace,
        CommonLabels = CommonLabels ?? ImmutableDictionary<string, string>.Empty,
        SubstituteVariables = Variables is { Count: > 0 },
        Variables = Variables ?? ImmutableDictionary<string, string>.Empty,
        Properties = RenderProperties ?? ImmutableDictionary<string, string>.Empty,
        RendererOptions = RendererOptions ?? ImmutableDictionary.Create<string, IRendererOptions>(StringComparer.OrdinalIgnoreCase),
    };

    /// <summary>Tells whether <paramref name="other"/> has the same settings, comparing collections by content.</summary>
    /// <param name="other">The other definition.</param>
    /// <returns><see langword="true"/> when every setting is equal.</returns>
    public bool Equals(ApplicationDefinition? other) =>
        other is not null && (ReferenceEquals(this, other) || ApplicationDefinitionEquality.Equal(this, other));

    /// <inheritdoc/>
    public override int GetHashCode() => ApplicationDefinitionEquality.Hash(this);
}
