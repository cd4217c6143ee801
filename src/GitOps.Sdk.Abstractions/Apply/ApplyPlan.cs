using System.Collections.Immutable;

namespace GitOps.Sdk;

/// <summary>An ordered set of changes for one application.</summary>
public sealed record ApplyPlan
{
    /// <summary>Gets the application the plan belongs to.</summary>
    public required string Application { get; init; }

    /// <summary>Gets the revision being applied, when known.</summary>
    public string? Revision { get; init; }

    /// <summary>Gets the steps in the order they run (applies first by wave and kind order, then deletes in reverse).</summary>
    public ImmutableArray<PlanStep> Steps { get; init; } = [];

    /// <summary>Gets a stable hash of the plan's content (keys, actions, desired content and the live versions it was planned against), used to pin approvals.</summary>
    public string? Hash { get; init; }
}

/// <summary>One step of a plan.</summary>
public sealed record PlanStep
{
    /// <summary>Gets the object.</summary>
    public required ResourceKey Key { get; init; }

    /// <summary>Gets what to do.</summary>
    public required PlanAction Action { get; init; }

    /// <summary>Gets the desired object for <see cref="PlanAction.Apply"/> and <see cref="PlanAction.Recreate"/>.</summary>
    public KubeObject? Desired { get; init; }

    /// <summary>Gets the live object the step was planned against, when it exists.</summary>
    public KubeObject? Live { get; init; }

    /// <summary>Gets the diff that led to the step, when one was computed.</summary>
    public ResourceDiff? Diff { get; init; }

    /// <summary>Gets the sync wave (from the wave annotation; default 0). Lower waves run first.</summary>
    public int Wave { get; init; }

    /// <summary>Gets why the step is skipped or what it repairs, in words.</summary>
    public string? Reason { get; init; }

    /// <summary>
    /// Gets the safety rule that refused the step (a <see cref="PlanAction.Skip"/> protecting an object the application
    /// does not own, or must not delete yet), or <see langword="null"/>. A plan with refusals does not end <c>Synced</c>.
    /// </summary>
    public PlanRefusal? Refusal { get; init; }

    /// <summary>
    /// Gets the owner an <see cref="PlanAction.Apply"/> step takes the object from: an empty string for a live object
    /// without an ownership mark (adoption), another application's name (takeover), or <see langword="null"/> when the
    /// object is already the application's or does not exist.
    /// </summary>
    public string? AdoptedFrom { get; init; }
}

/// <summary>Why a safety rule refused a plan step.</summary>
/// <param name="Rule">The rule, one of <see cref="PlanRefusalRules"/>.</param>
/// <param name="Owner">Who holds the object instead: another application's name, a description of an unmarked object's writers, or <see langword="null"/>.</param>
/// <param name="Option">The application option that would allow the step, e.g. <c>AllowAdoption</c>.</param>
public sealed record PlanRefusal(string Rule, string? Owner, string Option)
{
    /// <summary>Gets the objects that block the step (a Namespace's foreign contents, a CRD's custom resources), when the rule is a deletion guard.</summary>
    public ImmutableArray<ResourceKey> Blocking { get; init; } = [];
}

/// <summary>The names of the safety rules that refuse plan steps (<see cref="PlanRefusal.Rule"/>).</summary>
public static class PlanRefusalRules
{
    /// <summary>The live object's ownership label names another application.</summary>
    public const string OwnedByOtherApplication = "OwnedByOtherApplication";

    /// <summary>The live object carries no ownership mark and the application did not apply it.</summary>
    public const string NotMarked = "NotMarked";

    /// <summary>A Namespace to prune still holds objects outside the prune set.</summary>
    public const string NamespaceNotEmpty = "NamespaceNotEmpty";

    /// <summary>A CustomResourceDefinition to prune still has custom resources.</summary>
    public const string CustomResourcesExist = "CustomResourcesExist";

    /// <summary>The render came out empty: pruning everything needs <c>AllowEmptyPrune</c>.</summary>
    public const string EmptyRender = "EmptyRender";

    /// <summary>The engine's own objects (its namespace, inventories) are never pruned.</summary>
    public const string Reserved = "Reserved";
}

/// <summary>What a plan step does.</summary>
public enum PlanAction
{
    /// <summary>Create or update the object (server-side apply).</summary>
    Apply,

    /// <summary>Delete the object (prune).</summary>
    Delete,

    /// <summary>
    /// Delete and create again, whatever changed (for a planner that knows the object must be replaced). An
    /// <see cref="Apply"/> refused for an immutable field is re-created only when <see cref="ApplyOptions.AllowRecreate"/>
    /// or the <see cref="WellKnown.RecreateAnnotation"/> annotation allows it.
    /// </summary>
    Recreate,

    /// <summary>Nothing to write; reported as unchanged.</summary>
    None,

    /// <summary>Must not be touched (pruning opted out, owned by another application, held for approval); see <see cref="PlanStep.Reason"/>.</summary>
    Skip,
}

/// <summary>Settings of one plan execution.</summary>
public sealed record ApplyOptions
{
    /// <summary>Gets a value indicating whether nothing is stored (server-side dry-run). <value>Default: <see langword="false"/>.</value></summary>
    public bool DryRun { get; init; }

    /// <summary>Gets a value indicating whether field ownership conflicts are overridden. <value>Default: <see langword="false"/>.</value></summary>
    public bool Force { get; init; }

    /// <summary>Gets the field manager name, or <see langword="null"/> for the applier's configured default (<c>gitops-sdk</c>).</summary>
    public string? FieldManager { get; init; }

    /// <summary>Gets the deletion propagation policy for prunes (<c>Background</c>, <c>Foreground</c>, <c>Orphan</c>). <value>Default: <c>Background</c>.</value></summary>
    public string PropagationPolicy { get; init; } = "Background";

    /// <summary>Gets a value indicating whether objects whose immutable fields changed may be deleted and created again. <value>Default: <see langword="false"/>.</value></summary>
    public bool AllowRecreate { get; init; }

    /// <summary>Gets how many writes of one batch (same wave and kind) run at once, or <see langword="null"/> for the writer's <see cref="IResourceWriter.MaxConcurrency"/>. <value>Default: <see langword="null"/>.</value></summary>
    public int? MaxConcurrency { get; init; }
}

/// <summary>What happened when a plan was applied.</summary>
public sealed record ApplyResult
{
    /// <summary>Gets one entry per plan step, in plan order.</summary>
    public ImmutableArray<ObjectApplyResult> Objects { get; init; } = [];

    /// <summary>Gets a value indicating whether the apply was a dry-run.</summary>
    public bool DryRun { get; init; }

    /// <summary>Gets a value indicating whether every step succeeded.</summary>
    public bool Succeeded => Objects.All(static o => o.Outcome != ApplyOutcome.Failed);
}

/// <summary>What happened to one object.</summary>
/// <param name="Key">The object.</param>
/// <param name="Outcome">The outcome.</param>
/// <param name="Message">The reason, for skipped and failed objects; a note otherwise (e.g. "repaired with update after apply was refused").</param>
public sealed record ObjectApplyResult(ResourceKey Key, ApplyOutcome Outcome, string? Message = null)
{
    /// <summary>Gets the object as the server returned it after the write, when available.</summary>
    public KubeObject? Result { get; init; }
}

/// <summary>The outcome for one object, in kubectl's words.</summary>
public enum ApplyOutcome
{
    /// <summary>Nothing needed writing.</summary>
    Unchanged,

    /// <summary>The object was created.</summary>
    Created,

    /// <summary>The object was updated.</summary>
    Configured,

    /// <summary>The object was deleted.</summary>
    Deleted,

    /// <summary>The step was not carried out (opt-out annotation, owned by another application, held for approval).</summary>
    Skipped,

    /// <summary>The step failed; see the message.</summary>
    Failed,
}
