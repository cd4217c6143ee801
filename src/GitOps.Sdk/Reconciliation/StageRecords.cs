using System.Collections.Immutable;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Reconciliation;

// The output record of each stage, in pipeline order (docs/architecture.md, "Stages and records").

/// <summary>The source stage's output: the resolved revision, and the fetched artifact unless the revision is the last good one.</summary>
/// <param name="Resolved">The resolved revision.</param>
/// <param name="Artifact">The fetched artifact, or <see langword="null"/> when the revision did not move (nothing fetched).</param>
internal sealed record ResolvedSource(SourceRevision Resolved, SourceArtifact? Artifact)
{
    /// <summary>Gets the revision: the artifact's when fetched, else the resolved one.</summary>
    public string Revision => Artifact?.Revision ?? Resolved.Revision;

    /// <summary>Gets a value indicating whether the revision is the last good one (nothing was fetched).</summary>
    public bool Unchanged => Artifact is null;
}

/// <summary>The render stage's output: a desired state that passed the duplicate, reserved and confinement checks.</summary>
/// <param name="Desired">The desired state.</param>
internal sealed record RenderedState(DesiredState Desired);

/// <summary>The live-state stage's output.</summary>
/// <param name="Inventory">The stored inventory (the previous run's), or <see langword="null"/>.</param>
/// <param name="Objects">The live objects of every desired and inventory key that exists.</param>
/// <param name="DeferredWatches">Kinds whose CRD this revision brings: watched after the apply.</param>
internal sealed record LiveSnapshot(
    Inventory? Inventory,
    IReadOnlyDictionary<ResourceKey, KubeObject> Objects,
    ImmutableArray<(GroupKind Kind, string ApiVersion)> DeferredWatches);

/// <summary>The diff stage's output.</summary>
/// <param name="ByKey">The diff of every desired object and of every prune candidate still live, in that order.</param>
/// <param name="Drift">Differences someone else made to what this application applied.</param>
internal sealed record DiffSet(IReadOnlyDictionary<ResourceKey, ResourceDiff> ByKey, ImmutableArray<ObjectDrift> Drift)
{
    /// <summary>Gets the diffs that differ.</summary>
    public ImmutableArray<ResourceDiff> Drifted => [.. ByKey.Values.Where(static d => d.HasDrift)];
}

/// <summary>The plan stage's output: the planner's plan after the deletion guards.</summary>
/// <param name="Plan">The plan.</param>
/// <param name="Notes">Notes for the history summary (an empty render that prunes nothing).</param>
internal sealed record ReconcilePlan(ApplyPlan Plan, ImmutableArray<string> Notes)
{
    /// <summary>Gets how many steps write or delete.</summary>
    public int Actionable => Plan.Steps.Count(static s => IsActionable(s.Action));

    /// <summary>Returns <see langword="true"/> for the actions that write or delete.</summary>
    public static bool IsActionable(PlanAction action) => action is PlanAction.Apply or PlanAction.Delete or PlanAction.Recreate;
}

/// <summary>The approval filter's output.</summary>
/// <param name="Plan">The plan to apply: held steps are skips.</param>
/// <param name="Held">The held plan, or <see langword="null"/> when nothing is held.</param>
internal sealed record ApprovalResult(ApplyPlan Plan, HeldPlan? Held)
{
    /// <summary>Gets a value indicating whether the whole plan waits (nothing is applied).</summary>
    public bool WholePlanHeld => Held is { WholePlan: true };
}

/// <summary>The apply stage's output.</summary>
/// <param name="Result">What the applier did (adoptions named in the messages).</param>
/// <param name="Inventory">The inventory saved after the apply.</param>
internal sealed record AppliedChanges(ApplyResult Result, Inventory Inventory);

/// <summary>The health stage's output.</summary>
/// <param name="Overall">The application's health: its worst owned object's.</param>
/// <param name="Objects">The health of each desired object.</param>
internal sealed record HealthReport(HealthResult Overall, ImmutableDictionary<ResourceKey, HealthResult> Objects);
