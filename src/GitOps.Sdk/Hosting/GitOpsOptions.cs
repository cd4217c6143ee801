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
    /// burst of changes costs one reconcile. With <see cref="DriftLeadingEdge"/> (the default) the first change after a
    /// quiet period is corrected at once and only changes within this window of that reconcile wait for it.
    /// <value>Default: 500 milliseconds.</value>
    /// </summary>
    public TimeSpan DriftDebounce { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Gets or sets a value indicating whether the first live change after a quiet period (no live-change reconcile within
    /// <see cref="DriftDebounce"/>) reconciles at once, instead of after the debounce: a single deletion by hand is
    /// corrected in the time of one reconcile, while a storm still costs two or three. Off, every live change waits for
    /// <see cref="DriftDebounce"/>. <value>Default: <see langword="true"/>.</value>
    /// </summary>
    public bool DriftLeadingEdge { get; set; } = true;

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

    /// <summary>
    /// Gets or sets a value indicating whether <c>AddApplicationSource</c> registered a source besides these options: start-up
    /// validation then cannot tell an unknown <see cref="ApplicationDefinition.DependsOn"/> name from another source's application.
    /// </summary>
    internal bool ApplicationsFromOtherSources { get; set; }

    /// <summary>Gets problems found while binding configuration; reported by start-up validation.</summary>
    internal List<string> BindingErrors { get; } = [];

    /// <summary>Gets the binding problems of each application (also in <see cref="BindingErrors"/>), so that a reload refuses only that application.</summary>
    internal List<ApplicationProblem> ApplicationBindingErrors { get; } = [];
}

/// <summary>Whether an application's drift is corrected or only reported.</summary>
public enum ReconcileMode
{
    /// <summary>Apply changes and drift fixes automatically (subject to the approval policy).</summary>
    Correct,

    /// <summary>Report drift and planned changes; change nothing.</summary>
    DetectOnly,
}
