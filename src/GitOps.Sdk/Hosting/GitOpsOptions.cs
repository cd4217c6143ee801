namespace GitOps.Sdk.Hosting;

/// <summary>
/// Settings of the GitOps engine in a host: the applications it reconciles and the rules shared by all of them.
/// Bound from configuration section <c>GitOps</c> (applications under <c>GitOps:Applications:&lt;name&gt;</c>) and/or
/// set in code through <c>services.AddGitOps(o =&gt; …)</c>; validated when the host starts.
/// </summary>
/// <example>
/// <code>
/// services.AddGitOps(o =&gt;
/// {
///     o.Applications.Add(new ApplicationDefinition
///     {
///         Name = "shop",
///         Source = new SourceReference { Url = "https://git.example.com/shop/deploy.git", Ref = "main" },
///         Path = "apps/shop",
///         Namespace = "shop",
///         Interval = TimeSpan.FromMinutes(2),
///     });
/// }).AddGitSource().AddKubernetesTarget();
/// </code>
/// </example>
public sealed class GitOpsOptions
{
    /// <summary>Gets the applications to reconcile.</summary>
    public IList<ApplicationDefinition> Applications { get; } = new List<ApplicationDefinition>();

    /// <summary>Gets ignore rules that apply to every application, before each application's own rules.</summary>
    public IList<IgnoreRule> IgnoreRules { get; } = new List<IgnoreRule>();

    /// <summary>Gets or sets how many applications may reconcile at the same time. <value>Default: 4.</value></summary>
    public int MaxConcurrentReconciles { get; set; } = 4;

    /// <summary>Gets or sets the field manager for server-side apply and three-way diffs. <value>Default: <c>gitops-sdk</c>.</value></summary>
    public string FieldManager { get; set; } = WellKnown.FieldManager;

    /// <summary>Gets or sets how many reconciles each application's status remembers. <value>Default: 20.</value></summary>
    public int HistoryLimit { get; set; } = 20;

    /// <summary>
    /// Gets or sets how long the scheduler waits after a watch event on a managed object before reconciling, so that a
    /// burst of changes costs one reconcile. <value>Default: 500 milliseconds.</value>
    /// </summary>
    public TimeSpan DriftDebounce { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Gets or sets the fraction of an interval added or removed at random, so that applications with the same interval
    /// do not all reconcile at once. <value>Default: 0.1 (±10%).</value>
    /// </summary>
    public double JitterFraction { get; set; } = 0.1;

    /// <summary>Gets or sets how often live state is read while waiting for health. <value>Default: 2 seconds.</value></summary>
    public TimeSpan HealthPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Gets or sets a value indicating whether the scheduler reconciles when a managed object changes in the cluster.
    /// When off, such changes are still noted and corrected by the next interval reconcile.
    /// <value>Default: <see langword="true"/>.</value>
    /// </summary>
    public bool ReconcileOnLiveChange { get; set; } = true;

    /// <summary>
    /// Gets cluster-scoped kinds every application may declare, in addition to each application's
    /// <see cref="ApplicationDefinition.AllowedClusterKinds"/>: <c>Kind</c> (core group), <c>Kind.group</c>,
    /// <c>*.group</c> or <c>*</c>. <value>Default: empty (no cluster-scoped kind is allowed by the host).</value>
    /// </summary>
    public IList<string> AllowedClusterKinds { get; } = new List<string>();

    /// <summary>
    /// Gets kinds no application may declare, whatever its own lists say (same syntax as <see cref="AllowedClusterKinds"/>).
    /// <value>Default: empty.</value>
    /// </summary>
    public IList<string> DeniedKinds { get; } = new List<string>();

    /// <summary>Gets problems found while binding configuration; reported by start-up validation.</summary>
    internal List<string> BindingErrors { get; } = [];
}

/// <summary>One application: a source, a path in it, how to render it, where it goes and how it is kept in sync.</summary>
public sealed class ApplicationDefinition
{
    /// <summary>Gets or sets the application's unique name (a DNS label: lowercase letters, digits, '-', at most 63 characters).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets where desired state comes from.</summary>
    public SourceReference? Source { get; set; }

    /// <summary>Gets or sets the path inside the source; when set it replaces <see cref="SourceReference.Path"/>.</summary>
    public string? Path { get; set; }

    /// <summary>Gets or sets the renderer (<c>auto</c>, <c>plain</c>, <c>kustomize</c>, <c>helm</c> or a custom name). <value>Default: <c>auto</c>.</value></summary>
    public string Renderer { get; set; } = "auto";

    /// <summary>Gets or sets the target namespace for namespaced objects that declare none.</summary>
    public string? Namespace { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the target <see cref="Namespace"/> is created first (as a Namespace object
    /// owned and marked like every other object of the application) when the source does not declare it. Without it,
    /// objects aimed at a namespace that does not exist fail with an error naming this option.
    /// <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool CreateNamespace { get; set; }

    /// <summary>Gets or sets the Helm release name; defaults to <see cref="Name"/>.</summary>
    public string? ReleaseName { get; set; }

    /// <summary>Gets Helm value files, relative to the content directory.</summary>
    public IList<string> ValueFiles { get; } = new List<string>();

    /// <summary>Gets or sets inline Helm values (YAML or JSON).</summary>
    public string? Values { get; set; }

    /// <summary>Gets labels added to every rendered object.</summary>
    public IDictionary<string, string> CommonLabels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets variables for <c>${VAR}</c> substitution; substitution runs when any are given.</summary>
    public IDictionary<string, string> Variables { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets renderer-specific settings.</summary>
    public IDictionary<string, string> RenderProperties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets how often the application is reconciled when nothing triggers it sooner. <value>Default: 5 minutes.</value></summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the first retry delay after a failed reconcile; it doubles with each further failure. <value>Default: 5 seconds.</value></summary>
    public TimeSpan MinRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the longest retry delay after failures. <value>Default: 5 minutes.</value></summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets a value indicating whether objects removed from the source are deleted. <value>Default: <see langword="true"/>.</value></summary>
    public bool Prune { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether an empty render may prune everything. <value>Default: <see langword="false"/>.</value></summary>
    public bool AllowEmptyPrune { get; set; }

    /// <summary>Gets or sets a value indicating whether immutable-field changes may delete and recreate objects. <value>Default: <see langword="false"/>.</value></summary>
    public bool AllowRecreate { get; set; }

    /// <summary>Gets or sets a value indicating whether live objects without an ownership mark may be taken over. <value>Default: <see langword="false"/>.</value></summary>
    public bool AllowAdoption { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether live objects whose ownership label names another application may be
    /// taken over (the other application's inventory then no longer governs them). <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool AllowTakeover { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a Namespace removed from the source is pruned even though it still holds
    /// objects outside this prune set (deleting a Namespace deletes everything in it). <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool AllowNonEmptyNamespacePrune { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether a CustomResourceDefinition removed from the source is pruned even though
    /// custom resources of it still exist (deleting a CRD deletes all of them, cluster-wide). <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool AllowCrdPruneWithResources { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether fields another field manager changed are taken back (server-side apply
    /// with forced conflicts), which is what drift correction needs. <value>Default: <see langword="true"/>.</value>
    /// </summary>
    public bool ForceConflicts { get; set; } = true;

    /// <summary>
    /// Gets the namespaces the application's namespaced objects may target: names or <c>prefix*</c> patterns, <c>*</c>
    /// for any. A revision with an object elsewhere is refused as a whole.
    /// <value>Default: empty, meaning only <see cref="Namespace"/> when it is set, and any namespace when it is not.</value>
    /// </summary>
    public IList<string> AllowedNamespaces { get; } = new List<string>();

    /// <summary>
    /// Gets the cluster-scoped kinds the application may declare: <c>Kind</c> (core group), <c>Kind.group</c> (for
    /// example <c>ClusterRole.rbac.authorization.k8s.io</c>), <c>*.group</c> or <c>*</c>; the host's
    /// <see cref="GitOpsOptions.AllowedClusterKinds"/> are added. A Namespace named after an allowed namespace needs no entry.
    /// <value>Default: empty (no cluster-scoped kind beyond the host's).</value>
    /// </summary>
    public IList<string> AllowedClusterKinds { get; } = new List<string>();

    /// <summary>
    /// Gets kinds the application may never declare (same syntax as <see cref="AllowedClusterKinds"/>), in addition to the
    /// host's <see cref="GitOpsOptions.DeniedKinds"/>. <value>Default: empty.</value>
    /// </summary>
    public IList<string> DeniedKinds { get; } = new List<string>();

    /// <summary>
    /// Gets or sets a value indicating whether the application may declare RoleBindings and ClusterRoleBindings to the
    /// <c>cluster-admin</c> ClusterRole. <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool AllowClusterAdminBindings { get; set; }

    /// <summary>Gets the application's ignore rules, applied after the global ones.</summary>
    public IList<IgnoreRule> IgnoreRules { get; } = new List<IgnoreRule>();

    /// <summary>Gets or sets whether drift is corrected or only reported. <value>Default: <see cref="ReconcileMode.Correct"/>.</value></summary>
    public ReconcileMode Mode { get; set; } = ReconcileMode.Correct;

    /// <summary>Gets or sets a value indicating whether the application starts suspended (no scheduled reconciles). <value>Default: <see langword="false"/>.</value></summary>
    public bool Suspended { get; set; }

    /// <summary>Gets or sets a value indicating whether a reconcile waits after apply until every object is healthy. <value>Default: <see langword="false"/>.</value></summary>
    public bool WaitForHealth { get; set; }

    /// <summary>Gets or sets how long to wait for health when <see cref="WaitForHealth"/> is set. <value>Default: 5 minutes.</value></summary>
    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromMinutes(5);

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
        ReleaseName = ReleaseName,
        ValueFiles = [.. ValueFiles],
        Values = Values,
        CommonLabels = new Dictionary<string, string>(CommonLabels, StringComparer.Ordinal),
        SubstituteVariables = Variables.Count > 0,
        Variables = new Dictionary<string, string>(Variables, StringComparer.Ordinal),
        Properties = new Dictionary<string, string>(RenderProperties, StringComparer.Ordinal),
    };

    /// <summary>Returns a copy that the caller may change without affecting this definition.</summary>
    /// <returns>The copy.</returns>
    public ApplicationDefinition Clone()
    {
        var copy = this;
        var fresh = new ApplicationDefinition();
        foreach (var v in ValueFiles)
        {
            fresh.ValueFiles.Add(v);
        }

        foreach (var (k, v) in CommonLabels)
        {
            fresh.CommonLabels[k] = v;
        }

        foreach (var (k, v) in Variables)
        {
            fresh.Variables[k] = v;
        }

        foreach (var (k, v) in RenderProperties)
        {
            fresh.RenderProperties[k] = v;
        }

        foreach (var r in IgnoreRules)
        {
            fresh.IgnoreRules.Add(r);
        }

        foreach (var (target, from) in new[] { (fresh.AllowedNamespaces, AllowedNamespaces), (fresh.AllowedClusterKinds, AllowedClusterKinds), (fresh.DeniedKinds, DeniedKinds) })
        {
            foreach (var v in from)
            {
                target.Add(v);
            }
        }

        fresh.Name = copy.Name;
        fresh.Source = copy.Source;
        fresh.Path = copy.Path;
        fresh.Renderer = copy.Renderer;
        fresh.Namespace = copy.Namespace;
        fresh.CreateNamespace = copy.CreateNamespace;
        fresh.ReleaseName = copy.ReleaseName;
        fresh.Values = copy.Values;
        fresh.Interval = copy.Interval;
        fresh.MinRetryDelay = copy.MinRetryDelay;
        fresh.MaxRetryDelay = copy.MaxRetryDelay;
        fresh.Prune = copy.Prune;
        fresh.AllowEmptyPrune = copy.AllowEmptyPrune;
        fresh.AllowRecreate = copy.AllowRecreate;
        fresh.AllowAdoption = copy.AllowAdoption;
        fresh.AllowTakeover = copy.AllowTakeover;
        fresh.AllowNonEmptyNamespacePrune = copy.AllowNonEmptyNamespacePrune;
        fresh.AllowCrdPruneWithResources = copy.AllowCrdPruneWithResources;
        fresh.AllowClusterAdminBindings = copy.AllowClusterAdminBindings;
        fresh.ForceConflicts = copy.ForceConflicts;
        fresh.Mode = copy.Mode;
        fresh.Suspended = copy.Suspended;
        fresh.WaitForHealth = copy.WaitForHealth;
        fresh.HealthTimeout = copy.HealthTimeout;
        return fresh;
    }
}

/// <summary>Whether an application's drift is corrected or only reported.</summary>
public enum ReconcileMode
{
    /// <summary>Apply changes and drift fixes automatically (subject to the approval policy).</summary>
    Correct,

    /// <summary>Report drift and planned changes; change nothing.</summary>
    DetectOnly,
}
