using System.Collections.Immutable;
using GitOps.Sdk.Reconciliation;

namespace GitOps.Sdk.Status;

/// <summary>
/// The status as a pure projection of (previous status, finished run, now): conditions, history, health, drift
/// report, held plan, objects. No I/O, no clock, no state of its own.
/// </summary>
internal sealed class StatusProjection(int historyLimit)
{
    /// <summary>The status at the start of a run: Reconciling is true.</summary>
    public static ApplicationStatus Started(ApplicationStatus previous, ReconcileTrigger trigger, DateTimeOffset now) =>
        previous with { Conditions = StatusConditions.Set(previous.Conditions, ConditionTypes.Reconciling, ConditionStatus.True, "Progressing", $"Reconciling (trigger {trigger})", now) };

    /// <summary>The status after <paramref name="run"/>.</summary>
    public ApplicationStatus Project(ApplicationStatus previous, ReconcileRun run, DateTimeOffset now)
    {
        var s = previous;
        var result = run.ToResult();
        var outcome = run.Outcome;
        var succeeded = outcome is ReconcileOutcome.Synced or ReconcileOutcome.Applied or ReconcileOutcome.Skipped or ReconcileOutcome.Refused;
        var message = result.Error ?? Summary(run, result);
        var conditions = Conditions(s.Conditions, run, result, message, now);
        if (run.Health is { } report)
        {
            var h = report.Overall;
            conditions = StatusConditions.Set(conditions, ConditionTypes.Healthy, h.Status == HealthStatus.Healthy ? ConditionStatus.True : ConditionStatus.False, h.Status.ToString(), h.Message ?? h.Status.ToString(), now);
        }

        var history = s.History.Insert(0, new ReconcileRecord(run.StartedAt, result.Revision, result.Digest, result.Duration, outcome, result.Trigger, result.Error ?? Summary(run, result)));
        if (history.Length > historyLimit)
        {
            history = history.RemoveRange(historyLimit, history.Length - historyLimit);
        }

        var failed = outcome == ReconcileOutcome.Failed;
        var cancelled = outcome == ReconcileOutcome.Cancelled;
        var next = s with
        {
            LastAttemptedRevision = run.Revision ?? s.LastAttemptedRevision,
            Conditions = conditions,
            History = history,
            LastReconcileTime = now,
            Health = result.Health ?? s.Health,
            LastError = failed ? result.Error : cancelled ? s.LastError : null,
            LastErrorStage = failed ? result.FailedStage : cancelled ? s.LastErrorStage : null,
            ConsecutiveFailures = failed ? s.ConsecutiveFailures + 1 : succeeded || outcome is ReconcileOutcome.OutOfSync or ReconcileOutcome.Held ? 0 : s.ConsecutiveFailures,
            HeldPlan = run.DecidedHeldPlan ? run.Held : s.HeldPlan,
        };

        if (outcome is ReconcileOutcome.Applied or ReconcileOutcome.Synced || (outcome == ReconcileOutcome.Refused && result.Apply is not null))
        {
            next = next with { LastAppliedRevision = result.Revision, LastAppliedDigest = result.Digest };
        }

        if (result.Drift.Length > 0)
        {
            next = next with
            {
                LastDrift = new DriftReport
                {
                    DetectedAt = now,
                    Revision = result.Revision,
                    Objects = result.Drift,
                    Corrected = outcome is ReconcileOutcome.Applied or ReconcileOutcome.Synced
                        && !result.Drift.Any(d => result.Held?.Steps.Any(h => h.Key == d.Key) == true),
                },
            };
        }

        if (run.Health is not null && run.Desired is not null)
        {
            next = next with { Objects = ObjectStatuses(run, result) };
        }

        return next;
    }

    private static ImmutableArray<StatusCondition> Conditions(ImmutableArray<StatusCondition> conditions, ReconcileRun run, ReconcileResult result, string message, DateTimeOffset now)
    {
        conditions = StatusConditions.Set(conditions, ConditionTypes.Reconciling, ConditionStatus.False, "Idle", $"Last reconcile {run.Outcome}", now);
        switch (run.Outcome)
        {
            case ReconcileOutcome.Synced or ReconcileOutcome.Applied:
                var held = result.Held;
                conditions = StatusConditions.Set(conditions, ConditionTypes.Ready, held is null ? ConditionStatus.True : ConditionStatus.False, held is null ? "ReconciliationSucceeded" : "ApprovalPending", message, now);
                conditions = StatusConditions.Set(conditions, ConditionTypes.Stalled, ConditionStatus.False, "Progressing", "Reconciled", now);
                conditions = StatusConditions.Set(
                    conditions,
                    ConditionTypes.Drifted,
                    held is null ? ConditionStatus.False : ConditionStatus.True,
                    result.Drift.Length > 0 ? "DriftCorrected" : held is null ? "InSync" : "ApprovalPending",
                    result.Drift.Length > 0 ? $"Corrected drift of {result.Drift.Length} object(s)" : held is null ? "Live state matches desired state" : $"{held.Steps.Length} step(s) held for approval",
                    now);
                break;
            case ReconcileOutcome.OutOfSync:
                conditions = StatusConditions.Set(conditions, ConditionTypes.Ready, ConditionStatus.False, "DriftDetected", message, now);
                conditions = StatusConditions.Set(conditions, ConditionTypes.Stalled, ConditionStatus.False, "DetectOnly", "Detect-only mode: nothing is changed", now);
                conditions = StatusConditions.Set(conditions, ConditionTypes.Drifted, ConditionStatus.True, "DriftDetected", message, now);
                break;
            case ReconcileOutcome.Held:
                conditions = StatusConditions.Set(conditions, ConditionTypes.Ready, ConditionStatus.False, "ApprovalPending", message, now);
                conditions = StatusConditions.Set(conditions, ConditionTypes.Drifted, ConditionStatus.True, "ApprovalPending", message, now);
                break;
            case ReconcileOutcome.Failed:
                var failure = run.Failure ?? StageFailure.At(run.Stage, message);
                var confined = failure.Reason == StageFailure.ConfinementViolationReason;
                conditions = StatusConditions.Set(conditions, ConditionTypes.Ready, ConditionStatus.False, failure.Reason, message, now);
                conditions = StatusConditions.Set(
                    conditions,
                    ConditionTypes.Stalled,
                    failure.Stalls ? ConditionStatus.True : ConditionStatus.False,
                    confined ? StageFailure.ConfinementViolationReason : failure.Stalls ? "InvalidDesiredState" : "Retrying",
                    confined ? "The source revision breaks the confinement policy; waiting for a new revision"
                        : failure.Stalls ? "The source revision cannot be rendered; waiting for a new revision" : "Retrying with backoff",
                    now);
                break;
            case ReconcileOutcome.Cancelled:
                conditions = StatusConditions.Set(conditions, ConditionTypes.Reconciling, ConditionStatus.False, "Cancelled", message, now);
                break;
            case ReconcileOutcome.Refused:
                var refusedReason = PlanRefusals.ConditionReason(run.Refused);
                var refusedMessage = PlanRefusals.Summary(run.Refused);
                conditions = StatusConditions.Set(conditions, ConditionTypes.Ready, ConditionStatus.False, refusedReason, refusedMessage, now);
                conditions = StatusConditions.Set(conditions, ConditionTypes.Stalled, ConditionStatus.False, refusedReason, "Refused objects are retried every reconcile; see the Ready condition for the option that allows them", now);
                conditions = StatusConditions.Set(conditions, ConditionTypes.Drifted, ConditionStatus.True, refusedReason, refusedMessage, now);
                break;
        }

        return conditions;
    }

    private static ImmutableArray<ObjectStatus> ObjectStatuses(ReconcileRun run, ReconcileResult result)
    {
        var outcomes = result.Apply?.Objects.ToDictionary(static o => o.Key) ?? [];
        var held = result.Held?.Steps.Select(static s => s.Key).ToHashSet() ?? [];
        var diffs = run.Diff?.ByKey ?? new Dictionary<ResourceKey, ResourceDiff>();
        var builder = ImmutableArray.CreateBuilder<ObjectStatus>();
        foreach (var d in run.Desired!.Objects)
        {
            var health = run.Health!.Objects.GetValueOrDefault(d.Key) ?? new HealthResult(HealthStatus.Unknown);
            var diff = diffs.GetValueOrDefault(d.Key);
            SyncStatus sync;
            string? message = null;
            if (outcomes.TryGetValue(d.Key, out var o) && o.Outcome == ApplyOutcome.Failed)
            {
                sync = SyncStatus.Failed;
                message = o.Message;
            }
            else if (held.Contains(d.Key))
            {
                sync = SyncStatus.Held;
                message = "held for approval";
            }
            else if (diff is { HasDrift: true } && (result.Apply is null || !outcomes.ContainsKey(d.Key) || outcomes[d.Key].Outcome == ApplyOutcome.Skipped))
            {
                sync = SyncStatus.OutOfSync;
                message = outcomes.TryGetValue(d.Key, out var skipped) ? skipped.Message : diff.Action.ToString();
            }
            else
            {
                sync = SyncStatus.Synced;
            }

            builder.Add(new ObjectStatus(d.Key, sync, health, message));
        }

        foreach (var (key, diff) in diffs)
        {
            if (diff.Action == DiffAction.Prune && !(outcomes.TryGetValue(key, out var o) && o.Outcome == ApplyOutcome.Deleted))
            {
                builder.Add(new ObjectStatus(
                    key,
                    held.Contains(key) ? SyncStatus.Held : SyncStatus.PrunePending,
                    new HealthResult(HealthStatus.Unknown, "not declared any more"),
                    outcomes.TryGetValue(key, out var skipped) ? skipped.Message : "not declared any more"));
            }
        }

        return builder.ToImmutable();
    }

    private static string Summary(ReconcileRun run, ReconcileResult result)
    {
        var parts = new List<string> { result.Outcome.ToString() };
        if (result.Apply is { } a)
        {
            parts.Add($"{a.Objects.Count(static o => o.Outcome == ApplyOutcome.Created)} created, {a.Objects.Count(static o => o.Outcome == ApplyOutcome.Configured)} configured, {a.Objects.Count(static o => o.Outcome == ApplyOutcome.Deleted)} deleted");
        }
        else if (result.Outcome is ReconcileOutcome.OutOfSync or ReconcileOutcome.Held)
        {
            parts.Add($"{result.Diffs.Length} object(s) differ");
        }

        if (result.Held is { } h)
        {
            parts.Add($"{h.Steps.Length} step(s) held for approval (hash {h.Hash})");
        }

        if (!run.Refused.IsEmpty)
        {
            parts.Add(PlanRefusals.Summary(run.Refused));
        }

        parts.AddRange(run.Notes);
        return string.Join(", ", parts);
    }
}

/// <summary>Sets a condition, keeping its transition time when its status does not change.</summary>
internal static class StatusConditions
{
    public static ImmutableArray<StatusCondition> Set(ImmutableArray<StatusCondition> conditions, string type, ConditionStatus status, string reason, string message, DateTimeOffset now)
    {
        for (var i = 0; i < conditions.Length; i++)
        {
            var c = conditions[i];
            if (string.Equals(c.Type, type, StringComparison.Ordinal))
            {
                var transition = c.Status == status ? c.LastTransitionTime : now;
                return conditions.SetItem(i, new StatusCondition(type, status, reason, message, transition));
            }
        }

        return conditions.Add(new StatusCondition(type, status, reason, message, now));
    }
}
