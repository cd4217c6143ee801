using System.Collections.Immutable;
using System.Diagnostics;
using System.Net.Sockets;
using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Reconciliation;

/// <summary>
/// Runs one application's reconciles, one at a time, through the <see cref="ReconcilePipeline"/>, and keeps what
/// lives between them: the last good desired state (<see cref="LastGoodState"/>), approvals (<see cref="ApprovalGate"/>),
/// the echo filter for its own writes (<see cref="OwnWriteFilter"/>), the watched kinds (<see cref="WatchRegistry"/>)
/// and the status, projected after every run by <see cref="StatusProjection"/>.
/// </summary>
/// <remarks>
/// Safety rules: a failed fetch or render writes nothing and keeps the previous good state; an empty render prunes
/// nothing unless the application allows it; the inventory is widened to include every object about to be applied
/// before the apply, and narrowed after it (<see cref="InventoryUpdates"/>), so a crash in between never loses track
/// of an object. A changed application gets a new reconciler: the definition is read once.
/// </remarks>
internal sealed class Reconciler
{
    private readonly ReconcilerServices _s;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate;
    private readonly Lock _statusLock = new();
    private readonly LastGoodState _lastGood = new();
    private readonly ApprovalGate _approvals = new();
    private readonly OwnWriteFilter _ownWrites = new();
    private readonly WatchRegistry _watches;
    private readonly ReconcilePipeline _pipeline;
    private readonly StatusProjection _projection;
    private ApplicationStatus _status;
    private Reconciler? _predecessor;

    /// <param name="definition">The application.</param>
    /// <param name="services">The parts.</param>
    /// <param name="gate">
    /// The application name's run lock, shared by every reconciler that name ever gets: a changed, or removed and re-added,
    /// application's new reconciler never runs while the old one still does. <see langword="null"/>: a lock of its own.
    /// </param>
    /// <param name="predecessor">
    /// The application's previous reconciler when its definition changed: its status (history, conditions, inventory
    /// view) carries on, taken again once it has stopped (<see cref="AdoptPredecessor"/>).
    /// </param>
    public Reconciler(ApplicationDefinition definition, ReconcilerServices services, SemaphoreSlim? gate = null, Reconciler? predecessor = null)
    {
        Definition = definition;
        _s = services;
        _gate = gate ?? new SemaphoreSlim(1, 1);
        _logger = services.LoggerFactory.CreateLogger("GitOps.Sdk.Reconciler");
        var context = new StageContext(definition, services, _logger);
        _watches = new WatchRegistry(() => services.LiveState, definition.Name, _logger);
        _pipeline = new ReconcilePipeline(context, _lastGood, _watches, _ownWrites, _approvals);
        _projection = new StatusProjection(services.Options.HistoryLimit);
        _predecessor = predecessor;
        _status = predecessor is not null
            ? CarryOver(predecessor.Status)
            : new ApplicationStatus
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
    public ImmutableHashSet<ResourceKey> ManagedKeys => _watches.ManagedKeys;

    /// <summary>
    /// Gets the current status without taking a lock: the record is immutable and replaced whole under the update lock,
    /// so readers (the controller, the <c>gitops.application.info</c> gauge on a collecting thread) never wait for a run.
    /// </summary>
    public ApplicationStatus Status => Volatile.Read(ref _status);

    /// <summary>
    /// Returns <see langword="true"/> when <paramref name="change"/> is someone else's change to a managed object (not an
    /// echo of our own apply). Changes seen while a reconcile runs are decided after it, when the resource versions it
    /// wrote are known (see <see cref="TakeForeignChangesDuringRun"/>).
    /// </summary>
    public bool IsForeignChange(LiveChange change) => _ownWrites.IsForeign(change, ManagedKeys);

    /// <summary>Decides the changes seen during the last reconcile; returns <see langword="true"/> when any was someone else's.</summary>
    public bool TakeForeignChangesDuringRun() => _ownWrites.TakeChangesDuringRun(ManagedKeys);

    public void UpdateStatus(Func<ApplicationStatus, ApplicationStatus> update)
    {
        lock (_statusLock)
        {
            Volatile.Write(ref _status, update(_status));
        }
    }

    /// <summary>
    /// Takes the previous reconciler's status as it is now, once that one has stopped (its loop ended, or this one holds
    /// the shared run lock), so that its last run is part of the history that carries on. Idempotent.
    /// </summary>
    public void AdoptPredecessor()
    {
        if (Interlocked.Exchange(ref _predecessor, null) is { } predecessor)
        {
            var suspended = Status.Suspended;
            UpdateStatus(_ => CarryOver(predecessor.Status) with { Suspended = suspended });
        }
    }

    /// <summary>
    /// The previous definition's status under this definition: Ready is Unknown until this definition has reconciled (so
    /// dependents wait for it), nothing reconciles, and a held plan belonged to the previous reconciler's approvals.
    /// </summary>
    private ApplicationStatus CarryOver(ApplicationStatus previous)
    {
        var now = _s.Time.GetUtcNow();
        var conditions = StatusConditions.Set(previous.Conditions, ConditionTypes.Ready, ConditionStatus.Unknown, "DefinitionChanged", "The changed definition has not been reconciled yet", now);
        conditions = StatusConditions.Set(conditions, ConditionTypes.Reconciling, ConditionStatus.False, "DefinitionChanged", "Waiting for the first reconcile of the changed definition", now);
        return previous with
        {
            Source = Definition.Source?.ToString(),
            Mode = Definition.Mode,
            Suspended = Definition.Suspended,
            NextReconcileTime = null,
            HeldPlan = null,
            Conditions = conditions,
        };
    }

    /// <summary>Approves the held plan with <paramref name="hash"/>; returns <see langword="false"/> when no held plan has that hash.</summary>
    public bool Approve(string hash) => _approvals.Approve(hash);

    public async Task<ReconcileResult> ReconcileAsync(ReconcileTrigger trigger, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        AdoptPredecessor();
        _ownWrites.Running = true;
        try
        {
            return await RunAsync(trigger, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _ownWrites.Running = false;
            _gate.Release();
        }
    }

    private async Task<ReconcileResult> RunAsync(ReconcileTrigger trigger, CancellationToken cancellationToken)
    {
        var time = _s.Time;
        var startTimestamp = time.GetTimestamp();
        var app = Definition;
        using var activity = _s.Metrics.Telemetry.ActivitySource.StartActivity("gitops.reconcile");
        activity?.SetTag("gitops.application", app.Name);
        activity?.SetTag("gitops.target", _s.Target);
        activity?.SetTag("gitops.trigger", trigger.ToString());

        // Every line of this run, whichever component logs it, names the application and the trigger.
        using var scope = _logger.BeginScope(new ReconcileLogScope(app.Name, trigger.ToString()));
        Log.ReconcileStarting(_logger, app.Name, trigger.ToString());
        UpdateStatus(s => StatusProjection.Started(s, trigger, time.GetUtcNow()));

        var run = new ReconcileRun { Application = app.Name, Trigger = trigger, StartedAt = time.GetUtcNow() };
        var liveChangesAtStart = _ownWrites.ForeignChanges;
        try
        {
            run = await _pipeline.RunAsync(run, Status.LastAppliedDigest, liveChangesAtStart, Progress, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            run = run with { Outcome = ReconcileOutcome.Cancelled, Failure = null };
        }
        catch (Exception ex) when (IsRoutine(ex, cancellationToken))
        {
            // The cluster or the network failed a call (a timeout, a 503, a kind not served): it happens, and the next
            // reconcile tries again. One line says what; a stack trace would only bury it.
            var error = (RoutineCause(ex) ?? ex).GetType().Name;
            using (RevisionScope(run))
            {
                Log.StageFailedRoutine(_logger, app.Name, run.Stage.ToString(), error, ex.Message);
            }

            run = run.Fail(StageFailure.At(run.Stage, $"{error}: {ex.Message}"));
        }
#pragma warning disable CA1031 // One application's bug must not stall the others: it becomes a failed result naming the stage.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            using (RevisionScope(run))
            {
                Log.UnexpectedError(_logger, ex, app.Name, run.Stage.ToString());
            }

            run = run.Fail(StageFailure.At(run.Stage, $"unexpected {ex.GetType().Name}: {ex.Message}"));
        }

        // The pipeline's revision scope ended with it; what is logged about the run's end names the revision too.
        using var revisionScope = RevisionScope(run);
        var duration = time.GetElapsedTime(startTimestamp);
        run = run with { Duration = duration };
        if (run.Outcome == ReconcileOutcome.Skipped)
        {
            run = run with { ResultHealth = Status.Health };
        }

        Finish(run, liveChangesAtStart);
        var result = run.ToResult();
        var outcome = result.Outcome.ToString();
        _s.Metrics.ReconcileDuration.Record(duration.TotalSeconds, EngineMetrics.Tags(app.Name, _s.Target, new("gitops.outcome", outcome)));
        activity?.SetTag("gitops.outcome", outcome);
        activity?.SetTag("gitops.revision", result.Revision);
        if (result.Outcome == ReconcileOutcome.Failed)
        {
            activity?.SetStatus(ActivityStatusCode.Error, result.Error);
        }

        Log.ReconcileFinished(_logger, app.Name, result.Revision, result.Outcome, duration.TotalMilliseconds);
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

        void Progress(ReconcileRun next)
        {
            if (next.Revision is { } revision && !string.Equals(revision, run.Revision, StringComparison.Ordinal))
            {
                UpdateStatus(s => s with { LastAttemptedRevision = revision });
            }

            run = next;
        }
    }

    private IDisposable? RevisionScope(ReconcileRun run) => run.Revision is { } revision ? _logger.BeginScope(new RevisionLogScope(revision)) : null;

    /// <summary>
    /// Tells whether <paramref name="exception"/> is a routine failure of the world outside the engine: the target
    /// refused or failed a call (<see cref="TargetException"/>), a call timed out, the network failed, or a call was
    /// cancelled although the caller did not ask for it (an HTTP client's timeout). Anything else is a bug.
    /// </summary>
    internal static bool IsRoutine(Exception exception, CancellationToken cancellationToken) =>
        exception is OperationCanceledException ? !cancellationToken.IsCancellationRequested : RoutineCause(exception) is not null;

    /// <summary>The routine failure <paramref name="exception"/> is or wraps (an I/O error caused by a socket error), or <see langword="null"/>.</summary>
    private static Exception? RoutineCause(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is TargetException or TimeoutException or HttpRequestException or SocketException or OperationCanceledException)
            {
                return e;
            }
        }

        return null;
    }

    /// <summary>Reports a failure, projects the status and publishes a health change.</summary>
    private void Finish(ReconcileRun run, long liveChangesAtStart)
    {
        var now = _s.Time.GetUtcNow();
        if (run.Outcome == ReconcileOutcome.Failed && run.Failure is { } failure)
        {
            var error = run.Error!;
            _s.Metrics.Errors.Add(1, EngineMetrics.Tags(Name, _s.Target, new("gitops.stage", failure.Stage.ToString())));
            Log.ReconcileFailed(_logger, Name, failure.Stage.ToString(), error);
            _s.Events.Publish(new ReconcileFailed { Application = Name, Timestamp = now, Revision = run.Revision, Stage = failure.Stage, Message = error });
        }

        _lastGood.RunEnded(run.Outcome is ReconcileOutcome.Synced or ReconcileOutcome.Applied or ReconcileOutcome.Skipped && run.Held is null, liveChangesAtStart);
        if (run.Health is null && run.Desired is { } desired && run.Live is { } live)
        {
            // A failure after live state was read still reports each object's health as it was seen.
            run = run with { Health = _pipeline.AssessHealth(desired, live, run.EffectivePlan) };
        }

        var previousHealth = Status.Health;
        UpdateStatus(s => _projection.Project(s, run, now));
        if (run.Health?.Overall is { } h && previousHealth?.Status != h.Status)
        {
            Log.HealthChanged(_logger, Name, h.Status.ToString(), h.Message);
            _s.Events.Publish(new HealthChanged { Application = Name, Timestamp = now, Revision = run.Revision, Previous = previousHealth?.Status, Current = h });
        }
    }
}
