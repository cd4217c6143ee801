namespace GitOps.Sdk;

/// <summary>
/// Turns desired state, live state, diffs and the previous inventory into an ordered <see cref="ApplyPlan"/>:
/// kind order (CRDs and Namespaces first, webhooks last), sync waves, the prune set in reverse order, and the
/// safety rules (ownership, prune opt-out, never prune after an empty render unless allowed).
/// </summary>
public interface IPlanner
{
    /// <summary>Plans one reconcile.</summary>
    /// <param name="request">What is desired, what is live, what was applied before.</param>
    /// <returns>The plan; objects that must not be touched appear as <see cref="PlanAction.Skip"/> steps with a reason.</returns>
    ApplyPlan Plan(PlanRequest request);
}

/// <summary>The inputs of <see cref="IPlanner.Plan"/>.</summary>
public sealed record PlanRequest
{
    /// <summary>Gets the application name.</summary>
    public required string Application { get; init; }

    /// <summary>Gets the desired state.</summary>
    public required DesiredState Desired { get; init; }

    /// <summary>Gets the live objects for the desired keys and the previous inventory's keys (absent keys do not exist live).</summary>
    public IReadOnlyDictionary<ResourceKey, KubeObject> Live { get; init; } = new Dictionary<ResourceKey, KubeObject>();

    /// <summary>Gets the diff of every desired object and every prune candidate, by key.</summary>
    public IReadOnlyDictionary<ResourceKey, ResourceDiff> Diffs { get; init; } = new Dictionary<ResourceKey, ResourceDiff>();

    /// <summary>Gets what the application applied last time, or <see langword="null"/> on the first reconcile.</summary>
    public Inventory? PreviousInventory { get; init; }

    /// <summary>Gets the planning rules.</summary>
    public PlanOptions Options { get; init; } = new();
}

/// <summary>Rules for planning.</summary>
public sealed record PlanOptions
{
    /// <summary>Gets a value indicating whether objects removed from desired state are deleted. <value>Default: <see langword="true"/>.</value></summary>
    public bool Prune { get; init; } = true;

    /// <summary>Gets a value indicating whether an empty desired state may prune everything. <value>Default: <see langword="false"/>.</value></summary>
    public bool AllowEmptyPrune { get; init; }

    /// <summary>Gets a value indicating whether live objects without an ownership mark may be taken over. <value>Default: <see langword="false"/>.</value></summary>
    public bool AllowAdoption { get; init; }

    /// <summary>Gets a value indicating whether objects owned by another application may be taken over. <value>Default: <see langword="false"/>.</value></summary>
    public bool AllowTakeover { get; init; }

    /// <summary>Gets the label that names the owning application. <value>Default: <see cref="WellKnown.ApplicationLabel"/>.</value></summary>
    public string OwnershipLabel { get; init; } = WellKnown.ApplicationLabel;

    /// <summary>Gets kinds whose order a host wants to set, by group/kind; lower first. Built-in order applies to the rest.</summary>
    public IReadOnlyDictionary<GroupKind, int> KindOrderOverrides { get; init; } = new Dictionary<GroupKind, int>();
}
