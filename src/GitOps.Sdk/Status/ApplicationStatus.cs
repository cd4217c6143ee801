using System.Collections.Immutable;
using GitOps.Sdk.Hosting;

namespace GitOps.Sdk.Status;

/// <summary>A snapshot of one application's state: revisions, conditions, objects, drift, held plan and history.</summary>
public sealed record ApplicationStatus
{
    /// <summary>Gets the application name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the source, with credentials removed.</summary>
    public string? Source { get; init; }

    /// <summary>Gets the mode.</summary>
    public ReconcileMode Mode { get; init; }

    /// <summary>Gets a value indicating whether scheduled reconciles are suspended.</summary>
    public bool Suspended { get; init; }

    /// <summary>Gets the revision the last reconcile worked on (whether or not it succeeded).</summary>
    public string? LastAttemptedRevision { get; init; }

    /// <summary>Gets the revision last applied successfully.</summary>
    public string? LastAppliedRevision { get; init; }

    /// <summary>Gets the content digest last applied successfully.</summary>
    public string? LastAppliedDigest { get; init; }

    /// <summary>Gets when the last reconcile finished.</summary>
    public DateTimeOffset? LastReconcileTime { get; init; }

    /// <summary>Gets when the scheduler plans the next reconcile, when known.</summary>
    public DateTimeOffset? NextReconcileTime { get; init; }

    /// <summary>Gets the conditions (<see cref="ConditionTypes"/>).</summary>
    public ImmutableArray<StatusCondition> Conditions { get; init; } = [];

    /// <summary>Gets every managed object with its sync state and health.</summary>
    public ImmutableArray<ObjectStatus> Objects { get; init; } = [];

    /// <summary>Gets the application's health: its worst object's.</summary>
    public HealthResult? Health { get; init; }

    /// <summary>Gets the last drift seen, with field attribution.</summary>
    public DriftReport? LastDrift { get; init; }

    /// <summary>Gets the plan waiting for approval, when one is held.</summary>
    public HeldPlan? HeldPlan { get; init; }

    /// <summary>Gets the last error, naming application, revision, file, document and object where known.</summary>
    public string? LastError { get; init; }

    /// <summary>Gets the stage of <see cref="LastError"/>.</summary>
    public ReconcileStage? LastErrorStage { get; init; }

    /// <summary>Gets how many reconciles in a row failed.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>Gets the last reconciles, newest first, bounded by <see cref="GitOpsOptions.HistoryLimit"/>.</summary>
    public ImmutableArray<ReconcileRecord> History { get; init; } = [];

    /// <summary>
    /// Gets the application's sync state in one word, as the <c>gitops.application.info</c> gauge and the health check
    /// report it: <see cref="ApplicationSyncStatus.Failed"/> while the last finished reconcile failed,
    /// <see cref="ApplicationSyncStatus.OutOfSync"/> while the <see cref="ConditionTypes.Drifted"/> condition holds,
    /// <see cref="ApplicationSyncStatus.Unknown"/> before anything was applied, otherwise <see cref="ApplicationSyncStatus.Synced"/>.
    /// </summary>
    public ApplicationSyncStatus Sync =>
        ConsecutiveFailures > 0 ? ApplicationSyncStatus.Failed
        : Is(ConditionTypes.Drifted) ? ApplicationSyncStatus.OutOfSync
        : LastAppliedRevision is null ? ApplicationSyncStatus.Unknown
        : ApplicationSyncStatus.Synced;

    /// <summary>Returns the condition of <paramref name="type"/>, or <see langword="null"/>.</summary>
    /// <param name="type">A <see cref="ConditionTypes"/> value.</param>
    /// <returns>The condition.</returns>
    public StatusCondition? GetCondition(string type)
    {
        foreach (var c in Conditions)
        {
            if (string.Equals(c.Type, type, StringComparison.Ordinal))
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>Returns <see langword="true"/> when the condition <paramref name="type"/> is <see cref="ConditionStatus.True"/>.</summary>
    /// <param name="type">A <see cref="ConditionTypes"/> value.</param>
    /// <returns>Whether the condition holds.</returns>
    public bool Is(string type) => GetCondition(type)?.Status == ConditionStatus.True;
}

/// <summary>An application's sync state in one word (<see cref="ApplicationStatus.Sync"/>).</summary>
public enum ApplicationSyncStatus
{
    /// <summary>Nothing was applied yet, and the last reconcile did not fail.</summary>
    Unknown,

    /// <summary>Live state matches the last applied revision.</summary>
    Synced,

    /// <summary>Live state differs and was not corrected (detect-only mode, held for approval, or refused objects).</summary>
    OutOfSync,

    /// <summary>The last finished reconcile failed; whether live state matches is not known.</summary>
    Failed,
}

/// <summary>Condition types of <see cref="ApplicationStatus"/>, in the Kubernetes API conventions' sense.</summary>
public static class ConditionTypes
{
    /// <summary>The last reconcile succeeded and live state matches the source.</summary>
    public const string Ready = "Ready";

    /// <summary>A reconcile is running.</summary>
    public const string Reconciling = "Reconciling";

    /// <summary>Reconciling cannot make progress until something changes (e.g. the source has invalid manifests).</summary>
    public const string Stalled = "Stalled";

    /// <summary>Live state differs from desired state and has not been corrected.</summary>
    public const string Drifted = "Drifted";

    /// <summary>Every managed object is healthy.</summary>
    public const string Healthy = "Healthy";
}

/// <summary>One condition.</summary>
/// <param name="Type">The type (<see cref="ConditionTypes"/>).</param>
/// <param name="Status">Whether it holds.</param>
/// <param name="Reason">A CamelCase reason, e.g. <c>RenderFailed</c>.</param>
/// <param name="Message">Details in words.</param>
/// <param name="LastTransitionTime">When <paramref name="Status"/> last changed.</param>
public sealed record StatusCondition(string Type, ConditionStatus Status, string Reason, string Message, DateTimeOffset LastTransitionTime);

/// <summary>Whether a condition holds.</summary>
public enum ConditionStatus
{
    /// <summary>Not known.</summary>
    Unknown,

    /// <summary>Holds.</summary>
    True,

    /// <summary>Does not hold.</summary>
    False,
}

/// <summary>The sync state and health of one managed object.</summary>
/// <param name="Key">The object.</param>
/// <param name="Sync">Whether live matches desired.</param>
/// <param name="Health">The object's health.</param>
/// <param name="Message">Why, for objects that are not synced.</param>
public sealed record ObjectStatus(ResourceKey Key, SyncStatus Sync, HealthResult Health, string? Message = null);

/// <summary>Whether a live object matches desired state.</summary>
public enum SyncStatus
{
    /// <summary>Live matches desired.</summary>
    Synced,

    /// <summary>Live differs (not corrected: detect-only mode, held, or not yet applied).</summary>
    OutOfSync,

    /// <summary>The object is waiting for approval.</summary>
    Held,

    /// <summary>Writing the object failed.</summary>
    Failed,

    /// <summary>The object is no longer declared and waits to be pruned (or pruning is off or opted out).</summary>
    PrunePending,
}

/// <summary>Drift found in one reconcile.</summary>
public sealed record DriftReport
{
    /// <summary>Gets when the drift was found.</summary>
    public required DateTimeOffset DetectedAt { get; init; }

    /// <summary>Gets the revision desired state came from.</summary>
    public string? Revision { get; init; }

    /// <summary>Gets the drifted objects.</summary>
    public required ImmutableArray<ObjectDrift> Objects { get; init; }

    /// <summary>Gets a value indicating whether the drift was corrected.</summary>
    public bool Corrected { get; init; }
}

/// <summary>How one object drifted.</summary>
/// <param name="Key">The object.</param>
/// <param name="Action">What correcting it takes: <see cref="DiffAction.Create"/> when it was deleted, <see cref="DiffAction.Update"/> when fields changed.</param>
/// <param name="Changes">The differing fields, each attributed to the field manager that wrote it where known. Secret values are masked.</param>
public sealed record ObjectDrift(ResourceKey Key, DiffAction Action, ImmutableArray<FieldChange> Changes)
{
    /// <summary>
    /// Returns e.g. <c>apps/Deployment/shop/web: spec.replicas: live 5 → desired 2 (live value by kubectl-scale)</c>
    /// (each change as <see cref="FieldChange.ToString"/> writes it, separated by <c>; </c>), or
    /// <c>/Service/shop/web: deleted</c> when the live object is missing.
    /// </summary>
    /// <returns>The text form.</returns>
    public override string ToString()
    {
        if (Action == DiffAction.Create)
        {
            return $"{Key}: deleted";
        }

        return Changes.IsDefaultOrEmpty ? $"{Key}: changed" : $"{Key}: {string.Join("; ", Changes)}";
    }
}

/// <summary>A plan, or its destructive steps, held by an <see cref="Reconciliation.IApprovalPolicy"/> until approved.</summary>
public sealed record HeldPlan
{
    /// <summary>Gets the hash that pins the approval: approving it applies exactly these steps while they still hold.</summary>
    public required string Hash { get; init; }

    /// <summary>Gets a value indicating whether the whole plan is held (otherwise only <see cref="Steps"/> are, and the rest was applied).</summary>
    public bool WholePlan { get; init; }

    /// <summary>Gets the held steps.</summary>
    public required ImmutableArray<HeldStep> Steps { get; init; }

    /// <summary>Gets why the policy held them.</summary>
    public string? Reason { get; init; }

    /// <summary>Gets the revision the plan was made for.</summary>
    public string? Revision { get; init; }

    /// <summary>Gets when the plan was first held with this hash.</summary>
    public required DateTimeOffset Since { get; init; }
}

/// <summary>One held step.</summary>
/// <param name="Key">The object.</param>
/// <param name="Action">What the step would do.</param>
/// <param name="Changes">The field changes the step would make (Secret values masked).</param>
public sealed record HeldStep(ResourceKey Key, PlanAction Action, ImmutableArray<FieldChange> Changes);

/// <summary>One past reconcile.</summary>
/// <param name="StartedAt">When it started.</param>
/// <param name="Revision">The revision it worked on.</param>
/// <param name="Digest">The content digest.</param>
/// <param name="Duration">How long it took.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Trigger">What started it.</param>
/// <param name="Message">The error or a summary.</param>
public sealed record ReconcileRecord(
    DateTimeOffset StartedAt,
    string? Revision,
    string? Digest,
    TimeSpan Duration,
    ReconcileOutcome Outcome,
    ReconcileTrigger Trigger,
    string? Message);

/// <summary>How a reconcile ended.</summary>
public enum ReconcileOutcome
{
    /// <summary>Live already matched desired state; nothing was written.</summary>
    Synced,

    /// <summary>Changes were applied (and pruned).</summary>
    Applied,

    /// <summary>Live differs from desired state and nothing was changed (detect-only mode).</summary>
    OutOfSync,

    /// <summary>The whole plan waits for approval; nothing was changed.</summary>
    Held,

    /// <summary>Nothing was done: the revision was unchanged and nothing live changed, or the application is suspended.</summary>
    Skipped,

    /// <summary>A stage failed; see the error.</summary>
    Failed,

    /// <summary>The host shut down during the reconcile.</summary>
    Cancelled,

    /// <summary>
    /// Safety rules refused some objects (owned by another application, unmarked without AllowAdoption, or a prune
    /// blocked by a deletion guard): they were not written, recorded or pruned; everything else was reconciled. Not in sync.
    /// </summary>
    Refused,
}

/// <summary>The stages of a reconcile.</summary>
public enum ReconcileStage
{
    /// <summary>Resolving and fetching the source.</summary>
    Source,

    /// <summary>Rendering desired state.</summary>
    Render,

    /// <summary>Reading live state and the inventory.</summary>
    LiveState,

    /// <summary>Comparing desired and live state.</summary>
    Diff,

    /// <summary>Planning.</summary>
    Plan,

    /// <summary>Asking the approval policy.</summary>
    Approval,

    /// <summary>Applying and pruning.</summary>
    Apply,

    /// <summary>Recording the inventory.</summary>
    Inventory,

    /// <summary>Assessing (and waiting for) health.</summary>
    Health,
}

/// <summary>What started a reconcile.</summary>
public enum ReconcileTrigger
{
    /// <summary>The host started.</summary>
    Startup,

    /// <summary>The application's interval elapsed.</summary>
    Interval,

    /// <summary>A retry after a failure.</summary>
    Retry,

    /// <summary>Someone asked (<c>IGitOpsController.RequestReconcile</c>, a webhook, the CLI).</summary>
    Manual,

    /// <summary>The source announced a change (<c>IGitOpsController.NotifySourceChanged</c>).</summary>
    SourceChanged,

    /// <summary>A managed object changed in the cluster (watch event).</summary>
    LiveChange,

    /// <summary>A held plan was approved.</summary>
    Approval,

    /// <summary>The application was added, or its definition changed, while the host runs (an <c>IApplicationSource</c> changed).</summary>
    ApplicationChanged,

    /// <summary>The application waited for its dependencies (<c>ApplicationDefinition.DependsOn</c>), and they are ready now.</summary>
    DependencyReady,
}
