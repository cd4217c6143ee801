using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Events;
using GitOps.Sdk.Health;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Planning;
using GitOps.Sdk.Status;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Reconciliation;

/// <summary>
/// Runs the pipeline for one application: resolve the source → (skip when nothing changed) → fetch → render →
/// read live state → diff → plan → approval → apply → inventory → health → status and events. One reconcile at a
/// time per application; the state between reconciles (last good desired state, approvals, status) lives here.
/// </summary>
/// <remarks>
/// Safety rules: a failed fetch or render writes nothing and keeps the previous good state; an empty render prunes
/// nothing unless the application allows it; the inventory is widened to include every object about to be applied
/// before the apply, and narrowed after it, so a crash in between never loses track of an object.
/// </remarks>
internal sealed class Reconciler
{
    private readonly ReconcilerServices _s;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<GroupKind> _watched = [];
    private readonly ConcurrentDictionary<string, byte> _ownResourceVersions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ResourceKey, byte> _ownDeletes = new();
    private readonly ConcurrentQueue<LiveChange> _changesDuringRun = new();
    private volatile bool _running;
    private readonly Lock _statusLock = new();

    /// <summary>The Ready and Stalled condition reason of a revision refused by the confinement policy.</summary>
    internal const string ConfinementViolationReason = "ConfinementViolation";

    private Planning.ConfinementPolicy? _confinement;
    private ApplicationStatus _status;
    private string? _lastRevisionId;
    private string? _lastRenderedDigest;
    private string? _lastRenderOptionsKey;
    private DesiredState? _lastGoodDesired;
    private bool _lastRunClean;
    private long _liveChanges;
    private long _liveChangesAtLastRun = -1;
    private string? _approvedHash;
    private ImmutableHashSet<ResourceKey> _managedKeys = [];

    public Reconciler(ApplicationDefinition definition, ReconcilerServices services)
    {
        Definition = definition;
        _s = services;
        _logger = services.LoggerFactory.CreateLogger("GitOps.Sdk.Reconciler");
        _status = new ApplicationStatus
        {
            Name = definition.Name,
            Source = definition.Source?.ToString(),
            Mode = definition.Mode,
            Suspended = definition.Suspended,
            Conditions =
            [
                new StatusCondition(ConditionTypes.Ready, ConditionStatus.Unknown, "Pending", "Not reconciled yet", services.Time.GetUtcNow()),
            ],
        };
    }

    public ApplicationDefinition Definition { get; }

    public string Name => Definition.Name;

    /// <summary>Gets the keys of every object the application manages (desired plus inventory), for watch triggers.</summary>
    public ImmutableHashSet<ResourceKey> ManagedKeys => Volatile.Read(ref _managedKeys);

    public ApplicationStatus Status
    {
        get
        {
            lock (_statusLock)
            {
                return _status;
            }
        }
    }

    /// <summary>
    /// Returns <see langword="true"/> when <paramref name="change"/> is someone else's change to a managed object (not an
    /// echo of our own apply). Changes seen while a reconcile runs are decided after it, when the resource versions it
    /// wrote are known (see <see cref="TakeForeignChangesDuringRun"/>).
    /// </summary>
    public bool IsForeignChange(LiveChange change)
    {
        if (!ManagedKeys.Contains(change.Key))
        {
            return false;
        }

        if (_running)
        {
            _changesDuringRun.Enqueue(change);
            return false;
        }

        return Classify(change);
    }

    /// <summary>Decides the changes seen during the last reconcile; returns <see langword="true"/> when any was someone else's.</summary>
    public bool TakeForeignChangesDuringRun()
    {
        var foreign = false;
        while (_changesDuringRun.TryDequeue(out var change))
        {
            foreign |= ManagedKeys.Contains(change.Key) && Classify(change);
        }

        return foreign;
    }

    private bool Classify(LiveChange change)
    {
        var own = change.Type == LiveChangeType.Deleted
            ? _ownDeletes.ContainsKey(change.Key)
            : change.ResourceVersion is { } rv && _ownResourceVersions.ContainsKey(rv);
        if (own)
        {
            return false;
        }

        Interlocked.Increment(ref _liveChanges);
        return true;
    }

    public void UpdateStatus(Func<ApplicationStatus, ApplicationStatus> update)
    {
        lock (_statusLock)
        {
            _status = update(_status);
        }
    }

    /// <summary>Approves the held plan with <paramref name="hash"/>; returns <see langword="false"/> when no held plan has that hash.</summary>
    public bool Approve(string hash)
    {
        var held = Status.HeldPlan;
        if (held is null || !string.Equals(held.Hash, hash, StringComparison.Ordinal))
        {
            return false;
        }

        Volatile.Write(ref _approvedHash, hash);
        return true;
    }

    public async Task<ReconcileResult> ReconcileAsync(ReconcileTrigger trigger, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        _running = true;
        try
        {
            return await RunAsync(trigger, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _running = false;
            _gate.Release();
        }
    }

    private async Task<ReconcileResult> RunAsync(ReconcileTrigger trigger, CancellationToken cancellationToken)
    {
        var time = _s.Time;
        var startedAt = time.GetUtcNow();
        var startTimestamp = time.GetTimestamp();
        var app = Definition;
        using var activity = GitOpsDiagnostics.ActivitySource.StartActivity("gitops.reconcile");
        activity?.SetTag("gitops.application", app.Name);
        activity?.SetTag("gitops.trigger", trigger.ToString());
        Log.ReconcileStarting(_logger, app.Name, trigger.ToString());
        SetCondition(ConditionTypes.Reconciling, ConditionStatus.True, "Progressing", $"Reconciling (trigger {trigger})");

        var run = new RunState { Trigger = trigger };
        var liveChangesAtStart = Interlocked.Read(ref _liveChanges);
        ReconcileResult result;
        try
        {
            result = await RunStagesAsync(run, liveChangesAtStart, cancellationToken).ConfigureAwait(false);
        }
        catch (ReconcileFailure failure)
        {
            result = Failed(run, failure.Stage, failure.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            result = new ReconcileResult
            {
                Application = app.Name,
                Outcome = ReconcileOutcome.Cancelled,
                Trigger = trigger,
                Revision = run.Revision,
                Digest = run.Digest,
                Error = $"application '{app.Name}': reconcile cancelled at stage {run.Stage}",
            };
        }
#pragma warning disable CA1031 // One application's bug must not stall the others: it becomes a failed result naming the stage.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.UnexpectedError(_logger, ex, app.Name, run.Stage.ToString());
            result = Failed(run, run.Stage, $"unexpected {ex.GetType().Name}: {ex.Message}");
        }

        var duration = time.GetElapsedTime(startTimestamp);
        result = result with { Duration = duration };
        Finish(run, result, startedAt, liveChangesAtStart);

        var outcome = result.Outcome.ToString();
        GitOpsDiagnostics.ReconcileDuration.Record(
            duration.TotalSeconds,
            new KeyValuePair<string, object?>("gitops.application", app.Name),
            new KeyValuePair<string, object?>("gitops.outcome", outcome));
        activity?.SetTag("gitops.outcome", outcome);
        activity?.SetTag("gitops.revision", result.Revision);
        if (result.Outcome == ReconcileOutcome.Failed)
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.Error);
        }

        Log.ReconcileFinished(_logger, app.Name, result.Revision, outcome, duration.TotalMilliseconds);
        _s.Events.Publish(new ReconcileCompleted
        {
            Application = app.Name,
            Timestamp = time.GetUtcNow(),
            Revision = result.Revision,
            Outcome = result.Outcome,
            Duration = duration,
            Trigger = trigger,
        });
        return result;
    }

    private async Task<ReconcileResult> RunStagesAsync(RunState run, long liveChangesAtStart, CancellationToken cancellationToken)
    {
        var app = Definition;
        var time = _s.Time;

        // Source: resolve cheaply; fetch and render only when the revision moved.
        run.Stage = ReconcileStage.Source;
        var source = app.GetEffectiveSource();
        var provider = _s.SourceProviders.FirstOrDefault(p => p.CanHandle(source))
            ?? throw new ReconcileFailure(ReconcileStage.Source, $"no source provider handles {source} (register one: AddGitSource(), AddHelmRepositorySource(), AddOciSource())");
        SourceRevision resolved;
        using (StageActivity("gitops.source.resolve"))
        {
            resolved = await Guard(ReconcileStage.Source, () => provider.ResolveAsync(source, cancellationToken)).ConfigureAwait(false);
        }

        run.Revision = resolved.Revision;
        UpdateStatus(s => s with { LastAttemptedRevision = resolved.Revision });

        var renderOptions = app.ToRenderOptions();
        var renderKey = RenderOptionsKey(renderOptions);
        var sameRevision = _lastGoodDesired is not null
            && string.Equals(resolved.Id, _lastRevisionId, StringComparison.Ordinal)
            && string.Equals(renderKey, _lastRenderOptionsKey, StringComparison.Ordinal);
        if (sameRevision
            && _lastRunClean
            && run.Trigger is ReconcileTrigger.Interval or ReconcileTrigger.SourceChanged
            && liveChangesAtStart == _liveChangesAtLastRun)
        {
            return new ReconcileResult
            {
                Application = app.Name,
                Outcome = ReconcileOutcome.Skipped,
                Trigger = run.Trigger,
                Revision = resolved.Revision,
                Digest = _lastRenderedDigest,
                Health = Status.Health,
            };
        }

        DesiredState desired;
        if (sameRevision)
        {
            desired = _lastGoodDesired!;
            run.Digest = desired.Digest;
        }
        else
        {
            SourceArtifact artifact;
            using (StageActivity("gitops.source.fetch"))
            {
                artifact = await Guard(ReconcileStage.Source, () => provider.FetchAsync(source, cancellationToken)).ConfigureAwait(false);
            }

            run.Revision = artifact.Revision;
            run.Digest = artifact.Digest;
            UpdateStatus(s => s with { LastAttemptedRevision = artifact.Revision });
            _s.Events.Publish(new SourceFetched
            {
                Application = app.Name,
                Timestamp = time.GetUtcNow(),
                Revision = artifact.Revision,
                Source = source.ToString(),
                Digest = artifact.Digest,
            });

            run.Stage = ReconcileStage.Render;
            if (_lastGoodDesired is not null
                && string.Equals(artifact.Digest, _lastRenderedDigest, StringComparison.Ordinal)
                && string.Equals(renderKey, _lastRenderOptionsKey, StringComparison.Ordinal))
            {
                // A commit that does not touch the application's path: same content, no render.
                desired = _lastGoodDesired with { Revision = artifact.Revision };
            }
            else
            {
                RenderResult rendered;
                using (StageActivity("gitops.render"))
                {
                    rendered = await _s.RenderStage.RenderAsync(artifact, renderOptions, cancellationToken).ConfigureAwait(false);
                }

                if (!rendered.Succeeded)
                {
                    var errors = string.Join("; ", rendered.Errors.Take(20).Select(static e => e.ToString()));
                    var more = rendered.Errors.Length > 20 ? $" (and {rendered.Errors.Length - 20} more)" : string.Empty;
                    throw new ReconcileFailure(ReconcileStage.Render, $"render failed ({rendered.Errors.Length} error(s)): {errors}{more}");
                }

                desired = rendered.State with
                {
                    Objects = rendered.State.Objects.IsDefault ? [] : rendered.State.Objects,
                    Hooks = rendered.State.Hooks.IsDefault ? [] : rendered.State.Hooks,
                    Revision = artifact.Revision,
                    Digest = artifact.Digest,
                };
                _s.Events.Publish(new Rendered
                {
                    Application = app.Name,
                    Timestamp = time.GetUtcNow(),
                    Revision = artifact.Revision,
                    ObjectCount = desired.Objects.Length,
                    Renderer = rendered.Renderer,
                    Digest = artifact.Digest,
                });
            }

            var duplicates = desired.Objects.GroupBy(static o => o.Key).Where(static g => g.Count() > 1).Select(static g => g.Key).ToList();
            if (duplicates.Count > 0)
            {
                var where = string.Join("; ", duplicates.Select(k => $"{k} declared in {string.Join(" and ", desired.Objects.Where(o => o.Key == k).Select(o => o.Origin?.ToString() ?? "?"))}"));
                throw new ReconcileFailure(ReconcileStage.Render, $"render failed: objects declared more than once: {where}");
            }

            // Reserved objects first: no option allows them, so they are refused before any confinement rule is asked.
            if (_s.Reserved is { } reserved && ReservedCheck.Violations(desired, reserved) is { Length: > 0 } violations)
            {
                run.Desired = desired;
                run.Stage = ReconcileStage.Plan;
                throw new ReconcileFailure(ReconcileStage.Plan, $"revision refused, nothing is applied or pruned: {violations}");
            }

            // Confinement: the whole revision or nothing, before anything is read, applied or pruned.
            CheckConfinement(run, desired);

            // Only a good render becomes the state to return to.
            _lastGoodDesired = desired;
            _lastRevisionId = resolved.Id;
            _lastRenderedDigest = artifact.Digest;
            _lastRenderOptionsKey = renderKey;
        }

        run.Desired = desired;

        // Live state: watch every managed kind (so drift triggers a reconcile), then read desired and inventory objects.
        run.Stage = ReconcileStage.LiveState;
        var live = _s.LiveState;
        Inventory? inventory;
        IReadOnlyDictionary<ResourceKey, KubeObject> liveObjects;
        using (StageActivity("gitops.live"))
        {
            try
            {
                inventory = await _s.Inventory.GetAsync(app.Name, cancellationToken).ConfigureAwait(false);
            }
            catch (InventoryCorruptedException ex)
            {
                throw new ReconcileFailure(ReconcileStage.LiveState, $"{ex.Message}; nothing is applied or pruned. Recovery (docs/security.md, \"Corrupted inventory\"): delete the inventory object; the next reconcile records the desired objects that carry the application's ownership mark, and objects removed from the source meanwhile are left for a person to delete");
            }
            var addresses = new Dictionary<ResourceKey, string>();
            foreach (var o in desired.Objects)
            {
                addresses[o.Key] = o.ApiVersion;
            }

            foreach (var e in inventory?.Entries ?? [])
            {
                addresses.TryAdd(e.Key, e.ApiVersion);
            }

            // A kind whose CustomResourceDefinition this revision brings may not be served yet: it is watched after
            // the apply (which waits for the CRD), and until then its objects read as absent.
            var crdKinds = CrdDefinedKinds(desired);
            var tried = new HashSet<GroupKind>();
            foreach (var (key, apiVersion) in addresses)
            {
                if (_watched.Contains(key.GroupKind) || !tried.Add(key.GroupKind))
                {
                    continue;
                }

                if (!crdKinds.Contains(key.GroupKind))
                {
                    await live.WatchAsync(key.GroupKind, apiVersion, null, cancellationToken).ConfigureAwait(false);
                    _watched.Add(key.GroupKind);
                }
                else if (await TryWatchAsync(key.GroupKind, apiVersion, deferred: true, cancellationToken).ConfigureAwait(false))
                {
                    _watched.Add(key.GroupKind);
                }
                else
                {
                    run.DeferredWatches.Add((key.GroupKind, apiVersion));
                }
            }

            // The target namespaces count as managed keys, so that a namespace appearing (someone creates it, or
            // another application does) triggers a reconcile at once instead of after the failure backoff.
            var namespaceKeys = TargetNamespaceKeys(desired);
            if (namespaceKeys.Count > 0 && !_watched.Contains(NamespaceKind)
                && await TryWatchAsync(NamespaceKind, "v1", deferred: false, cancellationToken).ConfigureAwait(false))
            {
                _watched.Add(NamespaceKind);
            }

            Volatile.Write(ref _managedKeys, [.. addresses.Keys, .. namespaceKeys]);
            liveObjects = await live.GetManyAsync([.. addresses.Select(static a => (a.Key, a.Value))], cancellationToken).ConfigureAwait(false);
        }

        run.Live = liveObjects;

        // Diff: every desired object, and every inventory object no longer desired (prune candidates).
        run.Stage = ReconcileStage.Diff;
        var diffOptions = new DiffOptions
        {
            FieldManager = _s.Options.FieldManager,
            IgnoreRules = [.. _s.Options.IgnoreRules, .. app.IgnoreRules],
        };
        var diffs = new Dictionary<ResourceKey, ResourceDiff>();
        var desiredKeys = new HashSet<ResourceKey>();
        using (StageActivity("gitops.diff"))
        {
            foreach (var d in desired.Objects)
            {
                desiredKeys.Add(d.Key);
                diffs[d.Key] = _s.DiffEngine.Diff(d, liveObjects.GetValueOrDefault(d.Key), null, diffOptions);
            }

            foreach (var e in inventory?.Entries ?? [])
            {
                if (!desiredKeys.Contains(e.Key) && liveObjects.TryGetValue(e.Key, out var l))
                {
                    diffs[e.Key] = _s.DiffEngine.Diff(null, l, null, diffOptions);
                }
            }
        }

        run.Diffs = diffs;
        var drift = FindDrift(desired, inventory, diffs);
        run.Drift = drift;
        if (drift.Length > 0)
        {
            GitOpsDiagnostics.DriftCount.Add(drift.Length, new KeyValuePair<string, object?>("gitops.application", app.Name));
            Log.DriftDetected(_logger, app.Name, string.Join(" | ", drift.Select(static d => d.ToString())));
            _s.Events.Publish(new DriftDetected
            {
                Application = app.Name,
                Timestamp = time.GetUtcNow(),
                Revision = run.Revision,
                Objects = drift,
                WillCorrect = app.Mode == ReconcileMode.Correct,
            });
        }

        // Plan.
        run.Stage = ReconcileStage.Plan;
        var emptyRender = desired.Objects.IsDefaultOrEmpty;
        if (emptyRender && !app.AllowEmptyPrune && app.Prune && inventory is { Entries.Length: > 0 })
        {
            Log.EmptyRenderNoPrune(_logger, app.Name, run.Revision);
            run.Notes.Add("the render was empty: nothing is pruned unless AllowEmptyPrune is set");
        }

        var planOptions = new PlanOptions
        {
            // With an empty render the planner refuses every prune (unless AllowEmptyPrune), so the refusal is reported.
            Prune = app.Prune,
            AllowEmptyPrune = app.AllowEmptyPrune,
            AllowAdoption = app.AllowAdoption,
            AllowTakeover = app.AllowTakeover,
        };
        var request = new PlanRequest
        {
            Application = app.Name,
            Desired = desired,
            Live = liveObjects,
            Diffs = diffs,
            PreviousInventory = inventory,
            Options = planOptions,
        };
        ApplyPlan plan;
        using (StageActivity("gitops.plan"))
        {
            plan = await GuardAsync(_s.Planner.Plan(request), cancellationToken).ConfigureAwait(false);
        }

        run.Plan = plan;
        var actionable = plan.Steps.Count(static s => IsActionable(s.Action));

        if (actionable == 0)
        {
            _approvedHash = null;
            UpdateStatus(s => s with { HeldPlan = null });
            if (app.Mode == ReconcileMode.Correct && OwnedInventory.Record(app.Name, inventory, plan, run.Revision) is { } recorded)
            {
                // Nothing to write, but objects that turned out to be someone else's leave the inventory, and objects
                // found live with this application's mark (a lost inventory) enter it.
                run.Stage = ReconcileStage.Inventory;
                await _s.Inventory.SaveAsync(recorded, cancellationToken).ConfigureAwait(false);
            }

            return await CompleteWithoutApplyAsync(run, liveObjects, ReconcileOutcome.Synced, cancellationToken).ConfigureAwait(false);
        }

        if (app.Mode == ReconcileMode.DetectOnly)
        {
            return await CompleteWithoutApplyAsync(run, liveObjects, ReconcileOutcome.OutOfSync, cancellationToken).ConfigureAwait(false);
        }

        // Approval: policies may hold destructive steps or the whole plan; an approval is pinned to the held steps' hash.
        run.Stage = ReconcileStage.Approval;
        var decision = await EvaluatePoliciesAsync(plan, run, cancellationToken).ConfigureAwait(false);
        if (decision.Verdict != ApprovalVerdict.Approve)
        {
            var wholePlan = decision.Verdict == ApprovalVerdict.HoldPlan;
            var heldSteps = plan.Steps.Where(s => IsActionable(s.Action) && (wholePlan || decision.HeldKeys.Contains(s.Key))).ToImmutableArray();
            if (heldSteps.Length > 0)
            {
                var hash = ApprovalHash(heldSteps);
                if (string.Equals(Volatile.Read(ref _approvedHash), hash, StringComparison.Ordinal))
                {
                    // Approved, and the state it was approved for still holds: apply everything.
                    _approvedHash = null;
                    UpdateStatus(s => s with { HeldPlan = null });
                }
                else
                {
                    _approvedHash = null;
                    var previous = Status.HeldPlan;
                    var held = new HeldPlan
                    {
                        Hash = hash,
                        WholePlan = wholePlan,
                        Reason = decision.Reason,
                        Revision = run.Revision,
                        Since = previous is not null && previous.Hash == hash ? previous.Since : time.GetUtcNow(),
                        Steps = [.. heldSteps.Select(static s => new HeldStep(s.Key, s.Action, s.Diff?.Changes ?? []))],
                    };
                    run.Held = held;
                    UpdateStatus(s => s with { HeldPlan = held });
                    if (previous?.Hash != hash)
                    {
                        Log.PlanHeld(_logger, app.Name, hash, decision.Reason);
                        _s.Events.Publish(new PlanHeld { Application = app.Name, Timestamp = time.GetUtcNow(), Revision = run.Revision, Plan = held });
                    }

                    if (wholePlan)
                    {
                        return await CompleteWithoutApplyAsync(run, liveObjects, ReconcileOutcome.Held, cancellationToken).ConfigureAwait(false);
                    }

                    var heldReasons = heldSteps.ToImmutableDictionary(static s => s.Key, _ => $"held for approval (hash {hash}): {decision.Reason}");
                    plan = await GuardAsync(_s.Planner.Plan(request with { Options = planOptions with { Held = heldReasons } }), cancellationToken).ConfigureAwait(false);
                    plan = EnsureHeldSkipped(plan, heldReasons);
                    run.Plan = plan;
                }
            }
        }
        else
        {
            _approvedHash = null;
            UpdateStatus(s => s with { HeldPlan = null });
        }

        // Apply, with the inventory widened first so that a crash mid-apply cannot orphan new objects.
        run.Stage = ReconcileStage.Inventory;
        var widened = OwnedInventory.Widen(inventory, plan, revision: inventory?.Revision);
        await _s.Inventory.SaveAsync(widened, cancellationToken).ConfigureAwait(false);

        run.Stage = ReconcileStage.Apply;
        ApplyResult applied;
        using (StageActivity("gitops.apply"))
        {
            applied = await _s.Executor.ExecuteAsync(
                plan,
                new ApplyOptions { FieldManager = _s.Options.FieldManager, Force = app.ForceConflicts, AllowRecreate = app.AllowRecreate },
                cancellationToken).ConfigureAwait(false);
        }

        run.Apply = applied;
        RememberOwnWrites(applied);
        foreach (var (kind, apiVersion) in run.DeferredWatches)
        {
            if (await TryWatchAsync(kind, apiVersion, deferred: false, cancellationToken).ConfigureAwait(false))
            {
                _watched.Add(kind);
            }
        }

        RecordApplyMetrics(applied);

        run.Stage = ReconcileStage.Inventory;
        applied = MarkAdoptions(plan, applied);
        run.Apply = applied;
        var final = OwnedInventory.Complete(widened, inventory, plan, applied, desired, liveObjects, run.Revision);
        await _s.Inventory.SaveAsync(final, CancellationToken.None).ConfigureAwait(false);
        PublishApplyEvents(run, applied);

        if (!applied.Succeeded)
        {
            var failures = applied.Objects.Where(static o => o.Outcome == ApplyOutcome.Failed)
                .Select(o => $"{o.Key}{OriginOf(desired, o.Key)}: {o.Message}");
            throw new ReconcileFailure(ReconcileStage.Apply, $"apply failed: {string.Join("; ", failures)}");
        }

        // Health: read back what was written, and wait for it when asked to.
        run.Stage = ReconcileStage.Health;
        var after = await ReadManagedAsync(desired, cancellationToken).ConfigureAwait(false);
        var health = AssessHealth(desired, after, plan, out var objectHealth);
        if (app.WaitForHealth && health.Status != HealthStatus.Healthy)
        {
            var deadline = time.GetUtcNow() + app.HealthTimeout;
            while (health.Status != HealthStatus.Healthy)
            {
                if (time.GetUtcNow() >= deadline)
                {
                    run.ObjectHealth = objectHealth;
                    run.Health = health;
                    throw new ReconcileFailure(ReconcileStage.Health, $"timed out after {app.HealthTimeout} waiting for health: {health.Status}: {health.Message}");
                }

                await Task.Delay(_s.Options.HealthPollInterval, time, cancellationToken).ConfigureAwait(false);
                after = await ReadManagedAsync(desired, cancellationToken).ConfigureAwait(false);
                health = AssessHealth(desired, after, plan, out objectHealth);
            }
        }

        run.ObjectHealth = objectHealth;
        run.Health = health;
        return new ReconcileResult
        {
            Application = app.Name,
            Outcome = ReportRefusals(run)
                ? ReconcileOutcome.Refused
                : run.Held is null && applied.Objects.All(static o => o.Outcome is ApplyOutcome.Unchanged or ApplyOutcome.Skipped)
                    ? ReconcileOutcome.Synced
                    : ReconcileOutcome.Applied,
            Trigger = run.Trigger,
            Revision = run.Revision,
            Digest = run.Digest,
            Diffs = [.. diffs.Values.Where(static d => d.HasDrift)],
            Drift = drift,
            Plan = plan,
            Apply = applied,
            Held = run.Held,
            Health = health,
            Refused = run.Refused,
        };
    }

    private async Task<ReconcileResult> CompleteWithoutApplyAsync(
        RunState run,
        IReadOnlyDictionary<ResourceKey, KubeObject> liveObjects,
        ReconcileOutcome outcome,
        CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        run.Stage = ReconcileStage.Health;
        var health = AssessHealth(run.Desired!, liveObjects, run.Plan, out var objectHealth);
        run.ObjectHealth = objectHealth;
        run.Health = health;
        if (outcome is ReconcileOutcome.Synced or ReconcileOutcome.OutOfSync && ReportRefusals(run))
        {
            outcome = ReconcileOutcome.Refused;
        }

        return new ReconcileResult
        {
            Application = Definition.Name,
            Outcome = outcome,
            Trigger = run.Trigger,
            Revision = run.Revision,
            Digest = run.Digest,
            Diffs = [.. run.Diffs!.Values.Where(static d => d.HasDrift)],
            Drift = run.Drift,
            Plan = run.Plan,
            Held = run.Held,
            Health = health,
            Refused = run.Refused,
        };
    }

    /// <summary>Runs the deletion guards on a plan: containers whose contents are not all pruned with them stay.</summary>
    private ValueTask<ApplyPlan> GuardAsync(ApplyPlan plan, CancellationToken cancellationToken) =>
        PruneGuard.ApplyAsync(plan, _s.ContainerContents, _s.Reserved, Definition.AllowNonEmptyNamespacePrune, Definition.AllowCrdPruneWithResources, cancellationToken);

    /// <summary>Logs and publishes the steps safety rules refused; returns <see langword="true"/> when there were any.</summary>
    private bool ReportRefusals(RunState run)
    {
        var refused = PlanRefusals.Collect(run.Plan);
        if (refused.IsEmpty)
        {
            return false;
        }

        run.Refused = refused;
        foreach (var r in refused)
        {
            Log.ObjectRefused(_logger, Definition.Name, r.Key.ToString(), r.Rule, r.Owner ?? "nobody", r.Option, r.Reason);
        }

        _s.Events.Publish(new ObjectsRefused { Application = Definition.Name, Timestamp = _s.Time.GetUtcNow(), Revision = run.Revision, Objects = refused });
        return true;
    }

    private async ValueTask<ApprovalDecision> EvaluatePoliciesAsync(ApplyPlan plan, RunState run, CancellationToken cancellationToken)
    {
        if (_s.ApprovalPolicies.Count == 0)
        {
            return ApprovalDecision.Approve;
        }

        var request = new ApprovalRequest { Application = Definition.Name, Revision = run.Revision, Plan = plan, Trigger = run.Trigger };
        var keys = ImmutableHashSet.CreateBuilder<ResourceKey>();
        var reasons = new List<string>();
        var verdict = ApprovalVerdict.Approve;
        foreach (var policy in _s.ApprovalPolicies)
        {
            var d = await policy.EvaluateAsync(request, cancellationToken).ConfigureAwait(false);
            if (d.Verdict == ApprovalVerdict.Approve)
            {
                continue;
            }

            if (d.Reason is not null)
            {
                reasons.Add(d.Reason);
            }

            if (d.Verdict == ApprovalVerdict.HoldPlan)
            {
                verdict = ApprovalVerdict.HoldPlan;
            }
            else if (verdict == ApprovalVerdict.Approve)
            {
                verdict = ApprovalVerdict.HoldSteps;
            }

            keys.UnionWith(d.HeldKeys);
        }

        return verdict == ApprovalVerdict.Approve
            ? ApprovalDecision.Approve
            : new ApprovalDecision { Verdict = verdict, HeldKeys = keys.ToImmutable(), Reason = string.Join("; ", reasons) };
    }

    private static ApplyPlan EnsureHeldSkipped(ApplyPlan plan, ImmutableDictionary<ResourceKey, string> held)
    {
        if (!plan.Steps.Any(s => held.ContainsKey(s.Key) && IsActionable(s.Action)))
        {
            return plan;
        }

        // A planner that ignores PlanOptions.Held must still not touch held objects.
        return plan with
        {
            Steps = [.. plan.Steps.Select(s => held.TryGetValue(s.Key, out var reason) && IsActionable(s.Action)
                ? s with { Action = PlanAction.Skip, Reason = reason }
                : s)],
        };
    }

    /// <summary>
    /// Hashes what the held steps would do: object, action, desired content, the field-level diff, and for deletes and
    /// recreates the live object's uid and resourceVersion. Unlike <see cref="ApplyPlan.Hash"/> it ignores the
    /// resourceVersion of objects that are only updated, so a controller writing their status does not void an approval,
    /// while any change to what the steps would do does.
    /// </summary>
    internal static string ApprovalHash(IEnumerable<PlanStep> steps)
    {
        var sb = new StringBuilder();
        foreach (var s in steps.OrderBy(static s => s.Key))
        {
            sb.Append(s.Key).Append('|').Append(s.Action).Append('|').Append(s.Desired?.ContentHash).Append('|');
            if (s.Live is { } live && live.Metadata.ValueKind == JsonValueKind.Object)
            {
                sb.Append(live.Metadata.TryGetProperty("uid", out var uid) ? uid.ToString() : string.Empty).Append('|');
                if (s.Action is PlanAction.Delete or PlanAction.Recreate)
                {
                    sb.Append(live.Metadata.TryGetProperty("resourceVersion", out var rv) ? rv.ToString() : string.Empty);
                }
            }

            foreach (var c in s.Diff?.Changes ?? [])
            {
                sb.Append(c.Path).Append('=').Append(c.DesiredValue).Append('<').Append(c.LiveValue).Append(';');
            }

            sb.Append('\n');
        }

        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }

    private ImmutableArray<ObjectDrift> FindDrift(DesiredState desired, Inventory? inventory, Dictionary<ResourceKey, ResourceDiff> diffs)
    {
        if (inventory is null)
        {
            return [];
        }

        var entries = inventory.Entries.ToDictionary(static e => e.Key);
        var sameContent = string.Equals(Status.LastAppliedDigest, desired.Digest, StringComparison.Ordinal);
        var result = ImmutableArray.CreateBuilder<ObjectDrift>();
        foreach (var d in desired.Objects)
        {
            if (!entries.TryGetValue(d.Key, out var entry) || !diffs.TryGetValue(d.Key, out var diff) || !diff.HasDrift)
            {
                continue;
            }

            // Drift is a difference to what we applied ourselves: the desired object is the one last applied.
            var unchangedDesired = entry.AppliedHash is { } h ? string.Equals(h, d.ContentHash, StringComparison.Ordinal) : sameContent;
            if (unchangedDesired && diff.Action is DiffAction.Create or DiffAction.Update)
            {
                result.Add(new ObjectDrift(d.Key, diff.Action, diff.Changes));
            }
        }

        return result.ToImmutable();
    }

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
                Log.ObjectAdopted(_logger, Definition.Name, o.Key.ToString(), owner);
                return o with { Message = $"adopted from {owner}{(o.Message is null ? string.Empty : $"; {o.Message}")}" };
            })],
        };
    }

    private void RememberOwnWrites(ApplyResult applied)
    {
        if (_ownResourceVersions.Count > 4096)
        {
            _ownResourceVersions.Clear();
        }

        _ownDeletes.Clear();
        foreach (var o in applied.Objects)
        {
            if (o.Outcome == ApplyOutcome.Deleted || (o.Outcome == ApplyOutcome.Created && o.Message is not null))
            {
                _ownDeletes.TryAdd(o.Key, 0);
            }
        }

        foreach (var o in applied.Objects)
        {
            if (o.Result is { } written && written.Metadata.ValueKind == JsonValueKind.Object
                && written.Metadata.TryGetProperty("resourceVersion", out var rv) && rv.ValueKind == JsonValueKind.String)
            {
                _ownResourceVersions.TryAdd(rv.GetString()!, 0);
            }
        }
    }

    private void RecordApplyMetrics(ApplyResult applied)
    {
        foreach (var group in applied.Objects.GroupBy(static o => o.Outcome))
        {
            if (group.Key is ApplyOutcome.Unchanged)
            {
                continue;
            }

            GitOpsDiagnostics.AppliedObjects.Add(
                group.Count(),
                new KeyValuePair<string, object?>("gitops.application", Definition.Name),
                new KeyValuePair<string, object?>("gitops.outcome", group.Key.ToString()));
        }
    }

    private void PublishApplyEvents(RunState run, ApplyResult applied)
    {
        var now = _s.Time.GetUtcNow();
        var written = applied.Objects.Where(static o => o.Outcome is ApplyOutcome.Created or ApplyOutcome.Configured or ApplyOutcome.Failed)
            .Select(static o => new ObjectApplyResult(o.Key, o.Outcome, o.Message))
            .ToImmutableArray();
        var deleted = applied.Objects.Where(static o => o.Outcome == ApplyOutcome.Deleted).Select(static o => o.Key).ToImmutableArray();
        Log.Applied(
            _logger,
            Definition.Name,
            run.Revision,
            written.Count(static o => o.Outcome == ApplyOutcome.Created),
            written.Count(static o => o.Outcome == ApplyOutcome.Configured),
            deleted.Length,
            written.Count(static o => o.Outcome == ApplyOutcome.Failed));
        if (written.Length > 0)
        {
            _s.Events.Publish(new Applied { Application = Definition.Name, Timestamp = now, Revision = run.Revision, Objects = written });
        }

        if (deleted.Length > 0)
        {
            _s.Events.Publish(new Pruned { Application = Definition.Name, Timestamp = now, Revision = run.Revision, Objects = deleted });
        }
    }

    private async Task<IReadOnlyDictionary<ResourceKey, KubeObject>> ReadManagedAsync(DesiredState desired, CancellationToken cancellationToken) =>
        await _s.LiveState.GetManyAsync([.. desired.Objects.Select(static o => (o.Key, o.ApiVersion))], cancellationToken).ConfigureAwait(false);

    private HealthResult AssessHealth(DesiredState desired, IReadOnlyDictionary<ResourceKey, KubeObject> live, ApplyPlan? plan, out ImmutableDictionary<ResourceKey, HealthResult> perObject)
    {
        // Someone else's object is not this application's: its health is neither assessed nor part of the application's.
        var notOwned = PlanRefusals.NotOwned(plan);
        var builder = ImmutableDictionary.CreateBuilder<ResourceKey, HealthResult>();
        foreach (var d in desired.Objects)
        {
            builder[d.Key] = notOwned.Contains(d.Key)
                ? new HealthResult(HealthStatus.Unknown, "not assessed: the object is not owned by this application")
                : _s.Health.Assess(live.GetValueOrDefault(d.Key));
        }

        perObject = builder.ToImmutable();
        var worst = HealthAggregator.Worst(perObject.Where(p => !notOwned.Contains(p.Key)).Select(static p => (p.Key, p.Value)));
        return notOwned.Count > 0 && worst.Status == HealthStatus.Healthy
            ? new HealthResult(HealthStatus.Unknown, $"{notOwned.Count} desired object(s) are not owned by this application; their health is not assessed")
            : worst;
    }

    private void CheckConfinement(RunState run, DesiredState desired)
    {
        _confinement ??= Planning.ConfinementPolicy.For(Definition, _s.Options, _s.ExtraClusterScopedKinds);
        var violations = _confinement.Evaluate(desired);
        if (violations.Length == 0)
        {
            return;
        }

        run.Violations = violations;
        Log.ConfinementViolated(_logger, Definition.Name, run.Revision, violations.Length, string.Join(" | ", violations.Take(20)));
        var shown = string.Join("; ", violations.Take(20));
        var more = violations.Length > 20 ? $" (and {violations.Length - 20} more)" : string.Empty;
        throw new ReconcileFailure(ReconcileStage.Plan, $"confinement violated, nothing applied or pruned ({violations.Length} object(s)): {shown}{more}");
    }

    private ReconcileResult Failed(RunState run, ReconcileStage stage, string message)
    {
        var full = $"application '{Definition.Name}'{(run.Revision is null ? string.Empty : $" revision {run.Revision}")}: {message}";
        GitOpsDiagnostics.Errors.Add(
            1,
            new KeyValuePair<string, object?>("gitops.application", Definition.Name),
            new KeyValuePair<string, object?>("gitops.stage", stage.ToString()));
        Log.ReconcileFailed(_logger, Definition.Name, stage.ToString(), full);
        _s.Events.Publish(new ReconcileFailed
        {
            Application = Definition.Name,
            Timestamp = _s.Time.GetUtcNow(),
            Revision = run.Revision,
            Stage = stage,
            Message = full,
        });
        return new ReconcileResult
        {
            Application = Definition.Name,
            Outcome = ReconcileOutcome.Failed,
            Trigger = run.Trigger,
            Revision = run.Revision,
            Digest = run.Digest,
            FailedStage = stage,
            Error = full,
            Diffs = run.Diffs is null ? [] : [.. run.Diffs.Values.Where(static d => d.HasDrift)],
            Drift = run.Drift,
            Plan = run.Plan,
            Apply = run.Apply,
            Health = run.Health,
            Violations = run.Violations,
        };
    }

    private void Finish(RunState run, ReconcileResult result, DateTimeOffset startedAt, long liveChangesAtStart)
    {
        var now = _s.Time.GetUtcNow();
        var succeeded = result.Outcome is ReconcileOutcome.Synced or ReconcileOutcome.Applied or ReconcileOutcome.Skipped or ReconcileOutcome.Refused;
        _lastRunClean = result.Outcome is ReconcileOutcome.Synced or ReconcileOutcome.Applied or ReconcileOutcome.Skipped && result.Held is null;
        _liveChangesAtLastRun = liveChangesAtStart;
        var previousHealth = Status.Health;
        if (run.ObjectHealth is null && run.Desired is not null && run.Live is not null)
        {
            // A failure after live state was read still reports each object's health as it was seen.
            run.Health = AssessHealth(run.Desired, run.Live, run.Plan, out var perObject);
            run.ObjectHealth = perObject;
        }

        UpdateStatus(s =>
        {
            var conditions = s.Conditions;
            conditions = Set(conditions, ConditionTypes.Reconciling, ConditionStatus.False, "Idle", $"Last reconcile {result.Outcome}", now);
            var message = result.Error ?? Summary(result, run);
            switch (result.Outcome)
            {
                case ReconcileOutcome.Synced or ReconcileOutcome.Applied:
                    conditions = Set(conditions, ConditionTypes.Ready, result.Held is null ? ConditionStatus.True : ConditionStatus.False, result.Held is null ? "ReconciliationSucceeded" : "ApprovalPending", message, now);
                    conditions = Set(conditions, ConditionTypes.Stalled, ConditionStatus.False, "Progressing", "Reconciled", now);
                    conditions = Set(
                        conditions,
                        ConditionTypes.Drifted,
                        result.Held is null ? ConditionStatus.False : ConditionStatus.True,
                        result.Drift.Length > 0 ? "DriftCorrected" : result.Held is null ? "InSync" : "ApprovalPending",
                        result.Drift.Length > 0 ? $"Corrected drift of {result.Drift.Length} object(s)" : result.Held is null ? "Live state matches desired state" : $"{result.Held.Steps.Length} step(s) held for approval",
                        now);
                    break;
                case ReconcileOutcome.OutOfSync:
                    conditions = Set(conditions, ConditionTypes.Ready, ConditionStatus.False, "DriftDetected", message, now);
                    conditions = Set(conditions, ConditionTypes.Stalled, ConditionStatus.False, "DetectOnly", "Detect-only mode: nothing is changed", now);
                    conditions = Set(conditions, ConditionTypes.Drifted, ConditionStatus.True, "DriftDetected", message, now);
                    break;
                case ReconcileOutcome.Held:
                    conditions = Set(conditions, ConditionTypes.Ready, ConditionStatus.False, "ApprovalPending", message, now);
                    conditions = Set(conditions, ConditionTypes.Drifted, ConditionStatus.True, "ApprovalPending", message, now);
                    break;
                case ReconcileOutcome.Failed:
                    var confined = !result.Violations.IsDefaultOrEmpty;
                    var reason = confined ? ConfinementViolationReason : result.FailedStage is { } st ? $"{st}Failed" : "Failed";
                    var stalled = confined || result.FailedStage == ReconcileStage.Render;
                    conditions = Set(conditions, ConditionTypes.Ready, ConditionStatus.False, reason, message, now);
                    conditions = Set(
                        conditions,
                        ConditionTypes.Stalled,
                        stalled ? ConditionStatus.True : ConditionStatus.False,
                        confined ? ConfinementViolationReason : stalled ? "InvalidDesiredState" : "Retrying",
                        confined ? "The source revision breaks the confinement policy; waiting for a new revision"
                            : stalled ? "The source revision cannot be rendered; waiting for a new revision" : "Retrying with backoff",
                        now);
                    break;
                case ReconcileOutcome.Cancelled:
                    conditions = Set(conditions, ConditionTypes.Reconciling, ConditionStatus.False, "Cancelled", message, now);
                    break;
                case ReconcileOutcome.Refused:
                    var refusedReason = PlanRefusals.ConditionReason(run.Refused);
                    var refusedMessage = PlanRefusals.Summary(run.Refused);
                    conditions = Set(conditions, ConditionTypes.Ready, ConditionStatus.False, refusedReason, refusedMessage, now);
                    conditions = Set(conditions, ConditionTypes.Stalled, ConditionStatus.False, refusedReason, "Refused objects are retried every reconcile; see the Ready condition for the option that allows them", now);
                    conditions = Set(conditions, ConditionTypes.Drifted, ConditionStatus.True, refusedReason, refusedMessage, now);
                    break;
            }

            var health = result.Health ?? s.Health;
            if (run.Health is not null)
            {
                conditions = Set(
                    conditions,
                    ConditionTypes.Healthy,
                    run.Health.Status == HealthStatus.Healthy ? ConditionStatus.True : ConditionStatus.False,
                    run.Health.Status.ToString(),
                    run.Health.Message ?? run.Health.Status.ToString(),
                    now);
            }

            var history = s.History.Insert(0, new ReconcileRecord(startedAt, result.Revision, result.Digest, result.Duration, result.Outcome, result.Trigger, result.Error ?? Summary(result, run)));
            if (history.Length > _s.Options.HistoryLimit)
            {
                history = history.RemoveRange(_s.Options.HistoryLimit, history.Length - _s.Options.HistoryLimit);
            }

            var next = s with
            {
                Conditions = conditions,
                History = history,
                LastReconcileTime = now,
                Health = health,
                LastError = result.Outcome == ReconcileOutcome.Failed ? result.Error : result.Outcome == ReconcileOutcome.Cancelled ? s.LastError : null,
                LastErrorStage = result.Outcome == ReconcileOutcome.Failed ? result.FailedStage : result.Outcome == ReconcileOutcome.Cancelled ? s.LastErrorStage : null,
                ConsecutiveFailures = result.Outcome == ReconcileOutcome.Failed ? s.ConsecutiveFailures + 1 : succeeded || result.Outcome is ReconcileOutcome.OutOfSync or ReconcileOutcome.Held ? 0 : s.ConsecutiveFailures,
            };

            if (result.Outcome is ReconcileOutcome.Applied or ReconcileOutcome.Synced || (result.Outcome == ReconcileOutcome.Refused && result.Apply is not null))
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
                        Corrected = result.Outcome is ReconcileOutcome.Applied or ReconcileOutcome.Synced
                            && !result.Drift.Any(d => result.Held?.Steps.Any(h => h.Key == d.Key) == true),
                    },
                };
            }

            if (run.ObjectHealth is not null && run.Desired is not null)
            {
                next = next with { Objects = ObjectStatuses(run, result) };
            }

            return next;
        });

        if (run.Health is { } h && previousHealth?.Status != h.Status)
        {
            Log.HealthChanged(_logger, Definition.Name, h.Status.ToString(), h.Message);
            _s.Events.Publish(new HealthChanged
            {
                Application = Definition.Name,
                Timestamp = now,
                Revision = result.Revision,
                Previous = previousHealth?.Status,
                Current = h,
            });
        }
    }

    private static ImmutableArray<ObjectStatus> ObjectStatuses(RunState run, ReconcileResult result)
    {
        var outcomes = result.Apply?.Objects.ToDictionary(static o => o.Key) ?? [];
        var held = result.Held?.Steps.Select(static s => s.Key).ToHashSet() ?? [];
        var builder = ImmutableArray.CreateBuilder<ObjectStatus>();
        foreach (var d in run.Desired!.Objects)
        {
            var health = run.ObjectHealth!.GetValueOrDefault(d.Key) ?? new HealthResult(HealthStatus.Unknown);
            var diff = run.Diffs?.GetValueOrDefault(d.Key);
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

        foreach (var (key, diff) in run.Diffs ?? [])
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

    private static string Summary(ReconcileResult result, RunState run)
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

    private void SetCondition(string type, ConditionStatus status, string reason, string message) =>
        UpdateStatus(s => s with { Conditions = Set(s.Conditions, type, status, reason, message, _s.Time.GetUtcNow()) });

    private static ImmutableArray<StatusCondition> Set(ImmutableArray<StatusCondition> conditions, string type, ConditionStatus status, string reason, string message, DateTimeOffset now)
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

    private static readonly GroupKind NamespaceKind = new(string.Empty, "Namespace");

    /// <summary>The kinds defined by CustomResourceDefinitions in the desired state (<c>spec.group</c>, <c>spec.names.kind</c>).</summary>
    private static HashSet<GroupKind> CrdDefinedKinds(DesiredState desired)
    {
        var kinds = new HashSet<GroupKind>();
        foreach (var o in desired.Objects)
        {
            if (Planning.Planner.DefinedKind(o) is { } kind)
            {
                kinds.Add(kind);
            }
        }

        return kinds;
    }

    private static List<ResourceKey> TargetNamespaceKeys(DesiredState desired)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var o in desired.Objects)
        {
            if (o.Key.Namespace.Length > 0)
            {
                names.Add(o.Key.Namespace);
            }
        }

        return [.. names.Order(StringComparer.Ordinal).Select(static n => new ResourceKey(string.Empty, "Namespace", string.Empty, n))];
    }

    /// <summary>Starts a watch that the reconcile can do without (it only speeds up triggers); a failure is logged, not thrown.</summary>
    private async Task<bool> TryWatchAsync(GroupKind kind, string apiVersion, bool deferred, CancellationToken cancellationToken)
    {
        try
        {
            await _s.LiveState.WatchAsync(kind, apiVersion, null, cancellationToken).ConfigureAwait(false);
            return true;
        }
#pragma warning disable CA1031 // The kind may not be served yet (its CRD is in this revision) or not be listable; the reconcile goes on without the watch.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            if (deferred)
            {
                Log.WatchDeferred(_logger, Name, kind, ex.Message);
            }
            else
            {
                Log.WatchFailed(_logger, Name, kind, ex.Message);
            }

            return false;
        }
    }

    private static bool IsActionable(PlanAction action) => action is PlanAction.Apply or PlanAction.Delete or PlanAction.Recreate;

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

    private static string RenderOptionsKey(RenderOptions o) =>
        string.Join(
            "\u001f",
            o.Renderer,
            o.Namespace,
            o.CreateNamespace ? "create-namespace" : string.Empty,
            o.ReleaseName,
            string.Join(",", o.ValueFiles),
            o.Values,
            string.Join(",", o.CommonLabels.OrderBy(static p => p.Key, StringComparer.Ordinal).Select(static p => $"{p.Key}={p.Value}")),
            string.Join(",", o.Variables.OrderBy(static p => p.Key, StringComparer.Ordinal).Select(static p => $"{p.Key}={p.Value}")),
            string.Join(",", o.Properties.OrderBy(static p => p.Key, StringComparer.Ordinal).Select(static p => $"{p.Key}={p.Value}")));

    private static Activity? StageActivity(string name) => GitOpsDiagnostics.ActivitySource.StartActivity(name);

    private static async Task<T> Guard<T>(ReconcileStage stage, Func<ValueTask<T>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (SourceException ex)
        {
            throw new ReconcileFailure(stage, $"source failed ({ex.Kind}): {ex.Message}");
        }
    }

    private sealed class RunState
    {
        public ReconcileTrigger Trigger { get; init; }

        public ReconcileStage Stage { get; set; } = ReconcileStage.Source;

        public string? Revision { get; set; }

        public string? Digest { get; set; }

        public DesiredState? Desired { get; set; }

        public Dictionary<ResourceKey, ResourceDiff>? Diffs { get; set; }

        public ImmutableArray<ObjectDrift> Drift { get; set; } = [];

        public ApplyPlan? Plan { get; set; }

        public ApplyResult? Apply { get; set; }

        public HeldPlan? Held { get; set; }

        public HealthResult? Health { get; set; }

        public ImmutableDictionary<ResourceKey, HealthResult>? ObjectHealth { get; set; }

        public IReadOnlyDictionary<ResourceKey, KubeObject>? Live { get; set; }

        public List<string> Notes { get; } = [];

        public ImmutableArray<RefusedObject> Refused { get; set; } = [];

        public List<(GroupKind Kind, string ApiVersion)> DeferredWatches { get; } = [];

        public ImmutableArray<Planning.ConfinementViolation> Violations { get; set; } = [];
    }

    private sealed class ReconcileFailure(ReconcileStage stage, string message) : Exception(message)
    {
        public ReconcileStage Stage { get; } = stage;
    }
}
