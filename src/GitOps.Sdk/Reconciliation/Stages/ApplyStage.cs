using System.Collections.Immutable;
using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Events;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Reconciliation;

/// <summary>The apply stage's input.</summary>
/// <param name="Plan">The plan after the approval filter.</param>
/// <param name="Desired">The desired state.</param>
/// <param name="Live">The live snapshot the plan was made against (with the previous inventory).</param>
/// <param name="Revision">The revision (for the events).</param>
/// <param name="Waves">What runs between waves (Sync hooks, the wave health gate), or <see langword="null"/>.</param>
internal sealed record ApplyInput(ApplyPlan Plan, DesiredState Desired, LiveSnapshot Live, string? Revision, SyncWaveBarrier? Waves = null);

/// <summary>
/// Applies the plan inside the inventory protocol (<see cref="InventoryProtocol"/>): the pending inventory is saved
/// before the first write and the completed one after the apply, so that a crash in between never orphans an object.
/// </summary>
internal sealed class ApplyStage(StageContext context, InventoryProtocol inventory)
{
    /// <param name="input">The plan and what it was made against.</param>
    /// <param name="progress">Told when the stage moves between inventory and apply (for the stage a cancellation names).</param>
    /// <param name="cancellationToken">Cancels the apply.</param>
    public async ValueTask<StageResult<AppliedChanges>> RunAsync(ApplyInput input, Action<ReconcileStage> progress, CancellationToken cancellationToken)
    {
        var app = context.Definition;
        var plan = input.Plan;
        var previous = input.Live.Inventory;
        progress(ReconcileStage.Inventory);
        var pending = await inventory.BeginAsync(previous, plan, cancellationToken).ConfigureAwait(false);

        progress(ReconcileStage.Apply);
        ApplyResult applied;
        using (context.StartActivity("gitops.apply"))
        {
            applied = await ApplyAsync(plan, input.Waves, cancellationToken).ConfigureAwait(false);
        }

        RecordMetrics(applied);
        progress(ReconcileStage.Inventory);
        applied = MarkAdoptions(plan, applied);
        var completed = await inventory.CompleteAsync(pending, previous, plan, applied, input.Desired, input.Live.Objects).ConfigureAwait(false);
        PublishEvents(input.Revision, applied);

        var changes = new AppliedChanges(applied, completed);
        if (applied.Succeeded)
        {
            return input.Waves?.Failure is { } stopped ? new StageResult<AppliedChanges>(changes, stopped) : changes;
        }

        var failures = applied.Objects.Where(static o => o.Outcome == ApplyOutcome.Failed)
            .Select(o => $"{o.Key}{OriginOf(input.Desired, o.Key)}: {o.Message}");
        return new StageResult<AppliedChanges>(changes, StageFailure.At(ReconcileStage.Apply, $"apply failed: {string.Join("; ", failures)}"));
    }

    /// <summary>The one call that executes the plan (waves, CRD gating, stop-on-failure, prune order) on the target.</summary>
    private ValueTask<ApplyResult> ApplyAsync(ApplyPlan plan, SyncWaveBarrier? waves, CancellationToken cancellationToken) =>
        context.Services.Executor.ExecuteAsync(
            plan,
            new ApplyOptions { FieldManager = context.Services.Options.FieldManager, Force = context.Definition.ForceConflicts, AllowRecreate = context.Definition.AllowRecreate },
            waves,
            cancellationToken);

    private ApplyResult MarkAdoptions(ApplyPlan plan, ApplyResult applied)
    {
        var adopted = plan.Steps.Where(static st => st.AdoptedFrom is not null).ToDictionary(static st => st.Key, static st => st.AdoptedFrom!);
        if (adopted.Count == 0)
        {
            return applied;
        }

        return applied with
        {
            Objects = [.. applied.Objects.Select(o =>
            {
                if (o.Outcome is not (ApplyOutcome.Created or ApplyOutcome.Configured or ApplyOutcome.Unchanged) || !adopted.TryGetValue(o.Key, out var from))
                {
                    return o;
                }

                var owner = from.Length == 0 ? "an unmarked object" : $"application '{from}'";
                Log.ObjectAdopted(context.Logger, context.Application, o.Key.ToString(), owner);
                return o with { Message = $"adopted from {owner}{(o.Message is null ? string.Empty : $"; {o.Message}")}" };
            })],
        };
    }

    private void RecordMetrics(ApplyResult applied)
    {
        foreach (var group in applied.Objects.GroupBy(static o => o.Outcome))
        {
            if (group.Key is ApplyOutcome.Unchanged)
            {
                continue;
            }

            context.Services.Metrics.AppliedObjects.Add(group.Count(), context.MetricTags(new KeyValuePair<string, object?>("gitops.outcome", group.Key.ToString())));
        }
    }

    private void PublishEvents(string? revision, ApplyResult applied)
    {
        var now = context.Now;
        var written = applied.Objects.Where(static o => o.Outcome is ApplyOutcome.Created or ApplyOutcome.Configured or ApplyOutcome.Failed)
            .Select(static o => new ObjectApplyResult(o.Key, o.Outcome, o.Message))
            .ToImmutableArray();
        var deleted = applied.Objects.Where(static o => o.Outcome == ApplyOutcome.Deleted).Select(static o => o.Key).ToImmutableArray();
        Log.Applied(
            context.Logger,
            context.Application,
            revision,
            written.Count(static o => o.Outcome == ApplyOutcome.Created),
            written.Count(static o => o.Outcome == ApplyOutcome.Configured),
            deleted.Length,
            written.Count(static o => o.Outcome == ApplyOutcome.Failed));
        if (written.Length > 0)
        {
            context.Publish(new Applied { Application = context.Application, Timestamp = now, Revision = revision, Objects = written });
        }

        if (deleted.Length > 0)
        {
            context.Publish(new Pruned { Application = context.Application, Timestamp = now, Revision = revision, Objects = deleted });
        }
    }

    private static string OriginOf(DesiredState desired, ResourceKey key)
    {
        foreach (var o in desired.Objects)
        {
            if (o.Key == key && o.Origin is { } origin)
            {
                return $" ({origin})";
            }
        }

        return string.Empty;
    }
}
