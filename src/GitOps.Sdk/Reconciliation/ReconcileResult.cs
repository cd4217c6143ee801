using System.Collections.Immutable;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Reconciliation;

/// <summary>The result of one reconcile of one application.</summary>
public sealed record ReconcileResult
{
    /// <summary>Gets the application.</summary>
    public required string Application { get; init; }

    /// <summary>Gets how the reconcile ended.</summary>
    public required ReconcileOutcome Outcome { get; init; }

    /// <summary>Gets what started it.</summary>
    public ReconcileTrigger Trigger { get; init; }

    /// <summary>Gets the source revision, when resolved.</summary>
    public string? Revision { get; init; }

    /// <summary>Gets the content digest, when fetched.</summary>
    public string? Digest { get; init; }

    /// <summary>Gets the failed stage, for <see cref="ReconcileOutcome.Failed"/>.</summary>
    public ReconcileStage? FailedStage { get; init; }

    /// <summary>Gets the error, naming application, revision, file, document and object where known.</summary>
    public string? Error { get; init; }

    /// <summary>Gets the diffs of every object that differs (desired vs live, and prune candidates).</summary>
    public ImmutableArray<ResourceDiff> Diffs { get; init; } = [];

    /// <summary>Gets drift caused by someone else (objects changed or deleted since the last apply).</summary>
    public ImmutableArray<ObjectDrift> Drift { get; init; } = [];

    /// <summary>Gets the plan, when one was made.</summary>
    public ApplyPlan? Plan { get; init; }

    /// <summary>Gets what the applier did, when it ran.</summary>
    public ApplyResult? Apply { get; init; }

    /// <summary>Gets the plan held for approval, when one is.</summary>
    public HeldPlan? Held { get; init; }

    /// <summary>Gets the application's health after the reconcile.</summary>
    public HealthResult? Health { get; init; }

    /// <summary>Gets the objects safety rules refused (not written, not recorded, not pruned), for <see cref="ReconcileOutcome.Refused"/>.</summary>
    public ImmutableArray<Events.RefusedObject> Refused { get; init; } = [];

    /// <summary>
    /// Gets the objects the application's confinement policy refused; when any is listed the whole revision was refused
    /// (outcome <see cref="ReconcileOutcome.Failed"/> at <see cref="ReconcileStage.Plan"/>, condition reason
    /// <c>ConfinementViolation</c>) and nothing was applied or pruned.
    /// </summary>
    public ImmutableArray<Planning.ConfinementViolation> Violations { get; init; } = [];

    /// <summary>Gets how long the reconcile took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Gets a value indicating whether the reconcile succeeded (nothing failed; held or out-of-sync plans count as success).</summary>
    public bool Succeeded => Outcome is not (ReconcileOutcome.Failed or ReconcileOutcome.Cancelled);
}
