using GitOps.Sdk.Status;

namespace GitOps.Sdk.AspNetCore;

/// <summary>One application in <c>GET {prefix}/applications</c>. States are words, never numbers.</summary>
/// <param name="Name">The application.</param>
/// <param name="Source">Its source (credentials redacted).</param>
/// <param name="Sync"><see cref="ApplicationSyncStatus"/> as a word: Synced, OutOfSync, Failed or Unknown.</param>
/// <param name="Health">The aggregated health: Healthy, Progressing, Degraded, Suspended, Missing or Unknown.</param>
/// <param name="Suspended">Whether scheduled reconciles are suspended.</param>
/// <param name="Revision">The last applied revision.</param>
/// <param name="LastReconcileTime">When it last reconciled.</param>
/// <param name="NextReconcileTime">When it reconciles next, unless something changes first.</param>
/// <param name="LastDriftTime">When drift was last seen.</param>
/// <param name="HeldPlan">The hash of the plan waiting for approval, if one is held.</param>
/// <param name="LastError">The last error, if the last reconcile failed.</param>
public sealed record ApplicationSummary(
    string Name,
    string? Source,
    string Sync,
    string Health,
    bool Suspended,
    string? Revision,
    DateTimeOffset? LastReconcileTime,
    DateTimeOffset? NextReconcileTime,
    DateTimeOffset? LastDriftTime,
    string? HeldPlan,
    string? LastError)
{
    /// <summary>Summarises a status.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The summary.</returns>
    public static ApplicationSummary From(ApplicationStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new(
            status.Name,
            status.Source is null ? null : SafeUrl.Redact(status.Source),
            status.Sync.ToString(),
            (status.Health?.Status ?? HealthStatus.Unknown).ToString(),
            status.Suspended,
            status.LastAppliedRevision,
            status.LastReconcileTime,
            status.NextReconcileTime,
            status.LastDrift?.DetectedAt,
            status.HeldPlan?.Hash,
            SafeText.Redact(status.LastError));
    }
}

/// <summary><c>GET {prefix}/applications/{name}</c>: the summary, conditions, objects, last drift, held plan and history.</summary>
/// <param name="Summary">The summary.</param>
/// <param name="HealthMessage">Why the health is what it is.</param>
/// <param name="Conditions">The status conditions (Ready, Reconciling, Stalled, Drifted, Healthy).</param>
/// <param name="Objects">Every managed object, in status order.</param>
/// <param name="LastDrift">The last drift seen, if any.</param>
/// <param name="HeldPlan">The plan waiting for approval, if any.</param>
/// <param name="History">Recent reconciles, newest first.</param>
public sealed record ApplicationDetail(
    ApplicationSummary Summary,
    string? HealthMessage,
    IReadOnlyList<ConditionModel> Conditions,
    IReadOnlyList<ObjectModel> Objects,
    DriftModel? LastDrift,
    HeldPlanModel? HeldPlan,
    IReadOnlyList<HistoryModel> History)
{
    /// <summary>Describes a status.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The detail.</returns>
    public static ApplicationDetail From(ApplicationStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new(
            ApplicationSummary.From(status),
            SafeText.Redact(status.Health?.Message),
            [.. status.Conditions.Select(c => new ConditionModel(c.Type, c.Status.ToString(), c.Reason, SafeText.Redact(c.Message) ?? "", c.LastTransitionTime))],
            [.. status.Objects.Select(ObjectModel.From)],
            DriftModel.From(status.LastDrift),
            HeldPlanModel.From(status.HeldPlan),
            [.. status.History.Select(HistoryModel.From)]);
    }
}

/// <summary>A status condition.</summary>
/// <param name="Type">Ready, Reconciling, Stalled, Drifted or Healthy.</param>
/// <param name="Status">True, False or Unknown.</param>
/// <param name="Reason">A one-word reason.</param>
/// <param name="Message">A sentence.</param>
/// <param name="LastTransitionTime">When the status last changed.</param>
public sealed record ConditionModel(string Type, string Status, string Reason, string Message, DateTimeOffset LastTransitionTime);

/// <summary>One managed object.</summary>
/// <param name="Key">The object key (<c>group/Kind/namespace/name</c>).</param>
/// <param name="Group">The API group (empty for the core group).</param>
/// <param name="Kind">The kind.</param>
/// <param name="Namespace">The namespace (empty for cluster-scoped objects).</param>
/// <param name="Name">The name.</param>
/// <param name="Sync">Its sync state: Synced, OutOfSync, Missing, Extraneous or Unknown.</param>
/// <param name="Health">Its health.</param>
/// <param name="Message">Why, when known.</param>
public sealed record ObjectModel(string Key, string Group, string Kind, string Namespace, string Name, string Sync, string Health, string? Message)
{
    /// <summary>Describes an object's status.</summary>
    /// <param name="status">The object status.</param>
    /// <returns>The model.</returns>
    public static ObjectModel From(ObjectStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var k = status.Key;
        return new(k.ToString(), k.Group, k.Kind, k.Namespace, k.Name, status.Sync.ToString(), status.Health.Status.ToString(), SafeText.Redact(status.Health.Message ?? status.Message));
    }
}

/// <summary>A drift: what changed outside the source, by whom, and whether it was corrected.</summary>
/// <param name="DetectedAt">When it was seen.</param>
/// <param name="Revision">The desired revision it was compared with.</param>
/// <param name="Corrected">Whether the engine put it back.</param>
/// <param name="Objects">The drifted objects.</param>
public sealed record DriftModel(DateTimeOffset DetectedAt, string? Revision, bool Corrected, IReadOnlyList<ObjectChangesModel> Objects)
{
    /// <summary>Describes a drift report.</summary>
    /// <param name="drift">The report.</param>
    /// <returns>The model, or <see langword="null"/>.</returns>
    public static DriftModel? From(DriftReport? drift) => drift is null ? null : new(
        drift.DetectedAt,
        drift.Revision,
        drift.Corrected,
        [.. drift.Objects.Select(o => new ObjectChangesModel(o.Key.ToString(), o.Action.ToString(), [.. o.Changes.Select(FieldChangeModel.From)]))]);
}

/// <summary>One object that differs, and how.</summary>
/// <param name="Key">The object key.</param>
/// <param name="Action">What correcting it takes (Create, Update, Delete, Recreate).</param>
/// <param name="Changes">The changed fields.</param>
public sealed record ObjectChangesModel(string Key, string Action, IReadOnlyList<FieldChangeModel> Changes);

/// <summary>One changed field, written <c>live → desired</c> (<see cref="Text"/>: the SDK's one drift notation).</summary>
/// <param name="Path">The JSON pointer.</param>
/// <param name="Kind">Added, Removed or Changed.</param>
/// <param name="Live">The value in the cluster.</param>
/// <param name="Desired">The value in the source.</param>
/// <param name="ChangedBy">Who wrote the live value (field manager), when known.</param>
public sealed record FieldChangeModel(string Path, string Kind, string? Live, string? Desired, string? ChangedBy)
{
    /// <summary>Gets the change as one line, e.g. <c>spec.replicas: live 5 → desired 2 (live value by kubectl-scale)</c> (<see cref="FieldChange.ToString"/>).</summary>
    public string? Text { get; init; }

    /// <summary>Describes a field change.</summary>
    /// <param name="change">The change.</param>
    /// <returns>The model.</returns>
    public static FieldChangeModel From(FieldChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return new(change.Path, change.Kind.ToString(), change.LiveValue, change.DesiredValue, change.Attribution?.ToString()) { Text = change.ToString() };
    }
}

/// <summary>A plan waiting for approval (<c>POST {prefix}/applications/{name}/approve</c> with its hash).</summary>
/// <param name="Hash">The plan hash an approval names.</param>
/// <param name="WholePlan">Whether the whole plan waits (otherwise only the listed steps do).</param>
/// <param name="Reason">Why it is held.</param>
/// <param name="Revision">The revision it applies.</param>
/// <param name="Since">Since when it is held.</param>
/// <param name="Steps">The held steps.</param>
public sealed record HeldPlanModel(string Hash, bool WholePlan, string? Reason, string? Revision, DateTimeOffset Since, IReadOnlyList<ObjectChangesModel> Steps)
{
    /// <summary>Describes a held plan.</summary>
    /// <param name="plan">The plan.</param>
    /// <returns>The model, or <see langword="null"/>.</returns>
    public static HeldPlanModel? From(HeldPlan? plan) => plan is null ? null : new(
        plan.Hash,
        plan.WholePlan,
        SafeText.Redact(plan.Reason),
        plan.Revision,
        plan.Since,
        [.. plan.Steps.Select(s => new ObjectChangesModel(s.Key.ToString(), s.Action.ToString(), [.. s.Changes.Select(FieldChangeModel.From)]))]);
}

/// <summary>One past reconcile.</summary>
/// <param name="StartedAt">When it started.</param>
/// <param name="Revision">The revision it worked on.</param>
/// <param name="DurationMs">How long it took, in milliseconds.</param>
/// <param name="Outcome">How it ended: Synced, Applied, OutOfSync, Held, Skipped, Failed, Cancelled or Refused.</param>
/// <param name="Trigger">What started it: Startup, Interval, Retry, Manual, SourceChanged, LiveChange, Approval, ApplicationChanged or DependencyReady.</param>
/// <param name="Message">The error or a summary.</param>
public sealed record HistoryModel(DateTimeOffset StartedAt, string? Revision, double DurationMs, string Outcome, string Trigger, string? Message)
{
    /// <summary>Describes a history record.</summary>
    /// <param name="record">The record.</param>
    /// <returns>The model.</returns>
    public static HistoryModel From(ReconcileRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.StartedAt, record.Revision, Math.Round(record.Duration.TotalMilliseconds, 1), record.Outcome.ToString(), record.Trigger.ToString(), SafeText.Redact(record.Message));
    }
}

/// <summary><c>GET {prefix}/applications/{name}/diff</c>: what differs between the source (rendered now) and the live objects (read now).</summary>
/// <param name="Application">The application.</param>
/// <param name="Revision">The revision fetched from the source.</param>
/// <param name="InSync">Whether no desired object differs.</param>
/// <param name="Unchanged">How many desired objects match the live ones.</param>
/// <param name="Objects">The objects that differ, with field changes and a unified diff (Secret values masked).</param>
/// <param name="Error">Why the diff could not be computed (fetch or render failed).</param>
public sealed record ApplicationDiff(string Application, string? Revision, bool InSync, int Unchanged, IReadOnlyList<ObjectDiffModel> Objects, string? Error)
{
    /// <summary>A diff that could not be computed.</summary>
    /// <param name="application">The application.</param>
    /// <param name="revision">The revision, when fetched.</param>
    /// <param name="error">Why.</param>
    /// <returns>The result.</returns>
    public static ApplicationDiff Failed(string application, string? revision, string error) => new(application, revision, false, 0, [], error);
}

/// <summary>One object that differs between the source and the cluster.</summary>
/// <param name="Key">The object key.</param>
/// <param name="Action">What applying the source would do (Create, Update, Recreate).</param>
/// <param name="Changes">The changed fields, with who last wrote the live value.</param>
/// <param name="Unified">A unified text diff like <c>kubectl diff</c> (live as <c>---</c>, desired as <c>+++</c>).</param>
public sealed record ObjectDiffModel(string Key, string Action, IReadOnlyList<FieldChangeModel> Changes, string Unified);
