using GitOps.Sdk.Hosting;
using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Events;
using GitOps.Sdk.Hooks;
using GitOps.Sdk.Planning;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Reconciliation;

/// <summary>
/// The stages of one application's reconcile, run in one direction: source → render → live state → diff → plan →
/// approval filter → apply (inside the inventory protocol) → health. Each stage gets one input record and returns one
/// output record (or an expected failure); the run accumulates them in a <see cref="ReconcileRun"/>.
/// </summary>
internal sealed class ReconcilePipeline
{
    private readonly StageContext _context;
    private readonly LastGoodState _lastGood;
    private readonly WatchRegistry _watches;
    private readonly OwnWriteFilter _ownWrites;
    private readonly ApprovalGate _approvals;
    private readonly SourceStage _source;
    private readonly RenderingStage _render;
    private readonly LiveStateStage _live;
    private readonly DiffStage _diff;
    private readonly PlanningStage _plan;
    private readonly ApprovalStage _approval;
    private readonly ApplyStage _apply;
    private readonly HealthStage _health;
    private readonly InventoryProtocol _inventory;

    public ReconcilePipeline(StageContext context, LastGoodState lastGood, WatchRegistry watches, OwnWriteFilter ownWrites, ApprovalGate approvals)
    {
        _context = context;
        _lastGood = lastGood;
        _watches = watches;
        _ownWrites = ownWrites;
        _approvals = approvals;
        var guard = new PlanGuard(context);
        _inventory = new InventoryProtocol(() => context.Services.Inventory, context.Definition.Owner);
        _source = new SourceStage(context);
        _render = new RenderingStage(context, new RevisionAdmission(context));
        _live = new LiveStateStage(context, watches);
        _diff = new DiffStage(context);
        _plan = new PlanningStage(context, guard);
        _approval = new ApprovalStage(context, approvals, guard);
        _apply = new ApplyStage(context, _inventory);
        _health = new HealthStage(context);
    }

    /// <summary>Assesses health from what was read (for a run that failed after reading live state).</summary>
    public HealthReport AssessHealth(DesiredState desired, LiveSnapshot live, ApplyPlan? plan) => _health.Assess(desired, live.Objects, plan);

    /// <summary>Runs the stages.</summary>
    /// <param name="run">The run as it starts.</param>
    /// <param name="lastAppliedDigest">The content digest last applied successfully (for drift of entries without an applied hash).</param>
    /// <param name="liveChangesAtStart">How many foreign live changes had been seen when the run started.</param>
    /// <param name="progress">Told every time the run advances, so that a cancellation or a bug is reported with what was known.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The finished run: its <see cref="ReconcileRun.Outcome"/> is set.</returns>
    public async Task<ReconcileRun> RunAsync(ReconcileRun run, string? lastAppliedDigest, long liveChangesAtStart, Action<ReconcileRun> progress, CancellationToken cancellationToken)
    {
        ReconcileRun Step(ReconcileRun next)
        {
            progress(next);
            return next;
        }

        var app = _context.Definition;
        var renderOptions = app.ToRenderOptions();
        var renderKey = RenderOptionsKey.Of(renderOptions);
        var source = await _source.RunAsync(new SourceInput(app.GetEffectiveSource(), _lastGood.KnownRevisionId(renderKey)), cancellationToken).ConfigureAwait(false);
        run = Step(run with { Source = source.Value, Revision = source.Value?.Revision, Digest = source.Value?.Artifact?.Digest });
        if (source.Failure is { } sourceFailure)
        {
            return run.Fail(sourceFailure);
        }

        // From here on every line names the revision too (the reconcile's scope names the application).
        using var revisionScope = run.Revision is { } revision ? _context.Logger.BeginScope(new RevisionLogScope(revision)) : null;
        var resolved = source.Value!;
        if (resolved.Unchanged
            && run.Trigger is ReconcileTrigger.Interval or ReconcileTrigger.SourceChanged
            && _lastGood.CleanSince(liveChangesAtStart)
            && _context.Services.LiveState.ChangesAreComplete)
        {
            return run with { Outcome = ReconcileOutcome.Skipped, Digest = _lastGood.RenderedDigest };
        }

        DesiredState desired;
        if (resolved.Artifact is not { } artifact)
        {
            desired = _lastGood.Desired!;
            run = run with { Digest = desired.Digest };
        }
        else
        {
            run = Step(run with { Stage = ReconcileStage.Render });
            var rendered = await _render.RunAsync(new RenderInput(artifact, renderOptions, _lastGood.SameContent(artifact.Digest, renderKey)), cancellationToken).ConfigureAwait(false);
            if (rendered.Failure is { } renderFailure)
            {
                return run.Fail(renderFailure);
            }

            desired = rendered.Value!.Desired;

            // Only a good render becomes the state to return to.
            _lastGood.Remember(desired, resolved.Resolved.Id, artifact.Digest, renderKey);
        }

        // Sync hooks are not regular objects: never diffed, recorded or pruned; they run only when the sync writes something.
        var hookSet = SyncHooks.Split(desired);
        desired = hookSet.Regular;
        run = Step(run with { Rendered = new RenderedState(desired), Stage = ReconcileStage.LiveState });
        var live = await _live.RunAsync(new LiveInput(desired), cancellationToken).ConfigureAwait(false);
        if (live.Failure is { } liveFailure)
        {
            return run.Fail(liveFailure);
        }

        var snapshot = live.Value!;

        // An inventory another owner wrote (another GitOpsApplication of this name) is not this application's.
        var (ownership, foreign) = OwnershipPolicy.ForInventory(app.Name, app.Owner, snapshot.Inventory, desired.Objects, snapshot.Objects, app.AllowTakeover);
        var self = OwnershipPolicy.DescribeOwner(app.Owner);
        switch (ownership)
        {
            case InventoryOwnership.TakenOver:
                Log.InventoryTakenOver(_context.Logger, app.Name, self, OwnershipPolicy.DescribeOwner(snapshot.Inventory!.Owner), snapshot.Inventory.Entries.Length);
                break;
            case InventoryOwnership.Abandoned:
                Log.InventoryAbandoned(_context.Logger, app.Name, self, OwnershipPolicy.DescribeOwner(snapshot.Inventory!.Owner), snapshot.Inventory.Entries.Length);
                snapshot = snapshot with { Inventory = null };
                break;
            case InventoryOwnership.Refused:
                snapshot = snapshot with { Inventory = null };
                break;
        }

        run = Step(run with { Live = snapshot, Stage = ReconcileStage.Diff });
        var diff = _diff.Run(new DiffInput(desired, snapshot, lastAppliedDigest, run.Revision));

        run = Step(run with { Diff = diff, Stage = ReconcileStage.Plan });
        if (ownership == InventoryOwnership.Refused)
        {
            // Nothing is applied, pruned or recorded: the other owner's inventory stays as it is, and so does every
            // object; each of its live objects is a refusal, so the run is loud and not Synced, every time.
            _approvals.Decide(null);
            var refusedPlan = new ApplyPlan { Application = app.Name, Revision = run.Revision, Steps = foreign };
            run = Step(run with { Plan = new ReconcilePlan(refusedPlan, []), DecidedHeldPlan = true });
            return CompleteWithoutApply(run, ReconcileOutcome.Synced);
        }

        var planned = await _plan.RunAsync(new PlanInput(desired, snapshot, diff), cancellationToken).ConfigureAwait(false);
        run = Step(run with { Plan = planned });
        if (planned.Actionable == 0)
        {
            _approvals.Decide(null);
            run = run with { DecidedHeldPlan = true };
            if (app.Mode == ReconcileMode.Correct)
            {
                // Nothing to write, but objects that turned out to be someone else's leave the inventory, and objects
                // found live with this application's mark (a lost inventory) enter it.
                run = Step(run with { Stage = ReconcileStage.Inventory });
                await _inventory.RecordAsync(snapshot.Inventory, planned.Plan, cancellationToken).ConfigureAwait(false);
            }

            return CompleteWithoutApply(run, ReconcileOutcome.Synced);
        }

        if (app.Mode == ReconcileMode.DetectOnly)
        {
            return CompleteWithoutApply(run, ReconcileOutcome.OutOfSync);
        }

        run = Step(run with { Stage = ReconcileStage.Approval });
        var approval = await _approval.RunAsync(new ApprovalInput(planned.Plan, run.Revision, run.Trigger), cancellationToken).ConfigureAwait(false);
        run = Step(run with { Approval = approval, DecidedHeldPlan = true });
        if (approval.WholePlanHeld)
        {
            return CompleteWithoutApply(run, ReconcileOutcome.Held);
        }

        foreach (var left in hookSet.LeftOut)
        {
            Log.HookLeftOut(_context.Logger, app.Name, left.Reason);
        }

        // PreSync hooks run inside the apply (after the namespaces they need were created), before anything else is written.
        var hooks = new HookRunner(_context, hookSet, run.Revision);
        var waves = new SyncWaveBarrier(_context, approval.Plan, hooks);
        var current = run;
        var applied = await _apply.RunAsync(
            new ApplyInput(approval.Plan, desired, snapshot, run.Revision, waves.IsNeeded ? waves : null),
            stage => progress(current = current with { Stage = stage }),
            cancellationToken).ConfigureAwait(false);
        run = Step(current with { Applied = applied.Value });
        _ownWrites.Remember(applied.Value!.Result);
        foreach (var (kind, apiVersion) in snapshot.DeferredWatches)
        {
            await _watches.TryWatchAsync(kind, apiVersion, deferred: false, cancellationToken).ConfigureAwait(false);
        }

        if (applied.Failure is { } applyFailure)
        {
            return run.Fail(applyFailure with { Message = await hooks.RunSyncFailAsync(applyFailure.Message, cancellationToken).ConfigureAwait(false) });
        }

        // Health: read back what was written, and wait for it when asked to (PostSync hooks run once everything is healthy).
        run = Step(run with { Stage = ReconcileStage.Health });
        var postSync = hooks.Has(SyncHookPhase.PostSync);
        var health = await _health.RunAsync(new HealthInput(desired, approval.Plan, null, app.WaitForHealth || postSync, applied.Value.Result, postSync ? "before the PostSync hooks" : "(WaitForHealth)"), cancellationToken).ConfigureAwait(false);
        run = run with { Health = health.Value, ResultHealth = health.Value?.Overall };
        if (health.Failure is { } healthFailure)
        {
            var message = postSync ? $"{healthFailure.Message}; PostSync hooks were not run" : healthFailure.Message;
            return run.Fail(healthFailure with { Message = await hooks.RunSyncFailAsync(message, cancellationToken).ConfigureAwait(false) });
        }

        if (postSync && await hooks.RunAsync(SyncHookPhase.PostSync, null, cancellationToken).ConfigureAwait(false) is { } postSyncFailure)
        {
            var message = await hooks.RunSyncFailAsync(postSyncFailure, cancellationToken).ConfigureAwait(false);
            return run.Fail(new StageFailure(ReconcileStage.Health, SyncWaveBarrier.HookFailedReason, message));
        }

        var result = applied.Value.Result;
        var outcome = ReportRefusals(ref run)
            ? ReconcileOutcome.Refused
            : run.Held is null && result.Objects.All(static o => o.Outcome is ApplyOutcome.Unchanged or ApplyOutcome.Skipped)
                ? ReconcileOutcome.Synced
                : ReconcileOutcome.Applied;
        return run with { Outcome = outcome };
    }

    private ReconcileRun CompleteWithoutApply(ReconcileRun run, ReconcileOutcome outcome)
    {
        var health = _health.Assess(run.Desired!, run.Live!.Objects, run.EffectivePlan);
        run = run with { Stage = ReconcileStage.Health, Health = health, ResultHealth = health.Overall };
        if (outcome is ReconcileOutcome.Synced or ReconcileOutcome.OutOfSync && ReportRefusals(ref run))
        {
            outcome = ReconcileOutcome.Refused;
        }

        return run with { Outcome = outcome };
    }

    /// <summary>Logs and publishes the steps safety rules refused; returns <see langword="true"/> when there were any.</summary>
    private bool ReportRefusals(ref ReconcileRun run)
    {
        var refused = PlanRefusals.Collect(run.EffectivePlan);
        if (refused.IsEmpty)
        {
            return false;
        }

        run = run with { Refused = refused };
        foreach (var r in refused)
        {
            Log.ObjectRefused(_context.Logger, _context.Application, r.Key.ToString(), r.Rule, r.Owner ?? "nobody", r.Option, r.Reason);
        }

        _context.Publish(new ObjectsRefused { Application = _context.Application, Timestamp = _context.Now, Revision = run.Revision, Objects = refused });
        return true;
    }
}
