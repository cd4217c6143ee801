using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// The scheduler: one loop per application that reconciles at start-up, then on its interval (with jitter), after
/// failures with bounded exponential backoff, and at once on triggers — manual and webhook requests, source change
/// notices, approvals, and watch events on managed objects (the first after a quiet period at once, the rest of a burst
/// debounced). A global semaphore bounds concurrent
/// reconciles; a suspended application waits for <see cref="IGitOpsController.Resume"/>. On shutdown the running
/// reconcile is cancelled between steps and every loop ends. Applications added while the host runs get a loop at once;
/// a changed one's loop is stopped the same way and a new one starts after it; a removed one's loop just stops.
/// </summary>
internal sealed class GitOpsHostedService : BackgroundService
{
    private readonly GitOpsController _controller;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly GitOpsOptions _options;
    private readonly Lock _subscriptionLock = new();
    private readonly Dictionary<string, IDisposable> _subscriptions = new(StringComparer.Ordinal);

    public GitOpsHostedService(GitOpsController controller)
    {
        _controller = controller;
        _time = controller.Services.Time;
        _options = controller.Services.Options;
        _logger = controller.Services.LoggerFactory.CreateLogger("GitOps.Sdk.Scheduler");
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (_controller.Runtimes.Count > 0)
        {
            var defaultTargetUsed = _controller.Runtimes.Any(static a => string.IsNullOrEmpty(a.Reconciler.Definition.Target));
            var missing = _controller.Services.FindMissing(includeTargetParts: defaultTargetUsed);
            if (missing.Count > 0)
            {
                throw new InvalidOperationException(
                    $"GitOps cannot start: these parts are not registered: {string.Join(", ", missing)}. " +
                    "Use services.AddGitOps(...) with a source (.AddGitSource(), .AddHelmRepositorySource(), .AddOciSource()) and a target (.AddKubernetesTarget(...)).");
            }

            // Each named target an application names must be registered (AddKubernetesTarget("name", ...)).
            var unknown = _controller.Runtimes
                .Where(static a => !string.IsNullOrEmpty(a.Reconciler.Definition.Target))
                .GroupBy(static a => a.Reconciler.Definition.Target!, StringComparer.Ordinal)
                .Select(g => (Target: g.Key, Applications: g.Select(static a => a.Name).ToList(), Missing: _controller.Services.ForTarget(g.Key).FindMissingTargetParts()))
                .Where(static t => t.Missing.Count > 0)
                .Select(static t => $"target '{t.Target}' (named by {string.Join(", ", t.Applications.Select(static n => $"application '{n}'"))}) is not registered: call .AddKubernetesTarget(\"{t.Target}\", ...) on the GitOps builder (missing: {string.Join(", ", t.Missing)})")
                .ToList();
            if (unknown.Count > 0)
            {
                throw new InvalidOperationException($"GitOps cannot start: {string.Join("; ", unknown)}.");
            }
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Log.SchedulerStarted(_logger, _controller.Runtimes.Count);
        _controller.AttachScheduler((app, after) => StartLoop(app, after, stoppingToken));
        try
        {
            // Loops start and stop as applications come and go; the scheduler itself runs until the host stops.
            await Task.Delay(Timeout.InfiniteTimeSpan, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await Task.WhenAll(_controller.DetachScheduler()).ConfigureAwait(false);
            lock (_subscriptionLock)
            {
                foreach (var subscription in _subscriptions.Values)
                {
                    subscription.Dispose();
                }

                _subscriptions.Clear();
            }

            Log.SchedulerStopped(_logger);
        }
    }

    /// <summary>Starts an application's loop once <paramref name="after"/> (its previous loop) has ended.</summary>
    private Task StartLoop(ApplicationRuntime app, Task after, CancellationToken stoppingToken)
    {
        // Live changes are always recorded, so that an interval reconcile after someone else's change is a full one; they
        // trigger a reconcile at once only with ReconcileOnLiveChange. Subscribed with the first loop: a host without
        // applications needs no target. One subscription per target, routed to that target's applications only.
        var target = app.Reconciler.Definition.Target ?? string.Empty;
        lock (_subscriptionLock)
        {
            if (!_subscriptions.ContainsKey(target) && _controller.Services.ForTarget(target).LiveStateOrNull is { } live)
            {
                _subscriptions[target] = live.Changes.Subscribe(new LiveChangeObserver(_controller, target.Length == 0 ? null : target));
            }
        }

        return Task.Run(
            async () =>
            {
                await after.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                app.Reconciler.AdoptPredecessor();
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, app.Stopping);
                await RunLoopAsync(app, stop.Token).ConfigureAwait(false);
            },
            CancellationToken.None);
    }

    private async Task RunLoopAsync(ApplicationRuntime app, CancellationToken stop)
    {
        var trigger = app.FirstTrigger;
        TimeSpan? delay = null;
        ReconcileTrigger? held = null;
        var failures = 0;
        DateTimeOffset? lastLiveChangeRun = null;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (delay is { } d)
                {
                    trigger = await WaitAsync(app, app.Suspended ? Timeout.InfiniteTimeSpan : d, failures > 0, stop).ConfigureAwait(false);
                }

                if (app.Suspended)
                {
                    delay = Timeout.InfiniteTimeSpan;
                    continue;
                }

                if (trigger == ReconcileTrigger.LiveChange && _options.DriftDebounce > TimeSpan.Zero && !IsLeadingEdge(lastLiveChangeRun))
                {
                    // Within a burst (a kubectl apply of many objects, a controller's follow-up writes): let it settle, so the
                    // rest of the burst costs one more reconcile.
                    var debounce = Task.Delay(_options.DriftDebounce, _time, stop);
                    app.EnterWait(_time.GetUtcNow() + _options.DriftDebounce, debounce, debounce, signalsAtEntry: null);
                    try
                    {
                        await debounce.ConfigureAwait(false);
                    }
                    finally
                    {
                        app.LeaveWait();
                    }
                }

                trigger = Drain(app, trigger);
                if (_controller.GateDependencies(app) is not null)
                {
                    // A dependency that becomes ready wakes the loop at once; the interval is only a fallback re-check.
                    held = held is { } h && Rank(h) >= Rank(trigger) ? h : trigger;
                    delay = app.Reconciler.Definition.Interval;
                    var recheck = _time.GetUtcNow() + delay.Value;
                    app.Reconciler.UpdateStatus(s => s with { NextReconcileTime = recheck });
                    continue;
                }

                if (held is { } waited)
                {
                    trigger = AfterDependencyWait(Rank(waited) > Rank(trigger) ? waited : trigger);
                    held = null;
                }

                if (trigger == ReconcileTrigger.LiveChange)
                {
                    lastLiveChangeRun = _time.GetUtcNow();
                }

                var result = await _controller.RunAsync(app, trigger, stop).ConfigureAwait(false);
                if (result.Outcome == ReconcileOutcome.Cancelled)
                {
                    break;
                }

                failures = result.Outcome == ReconcileOutcome.Failed ? failures + 1 : 0;
                var next = failures > 0 ? Backoff(app.Reconciler.Definition, failures) : Jitter(app.Reconciler.Definition.Interval);
                delay = next;
                var at = _time.GetUtcNow() + next;
                app.Reconciler.UpdateStatus(s => s with { NextReconcileTime = at });
                Log.NextReconcile(_logger, app.Name, next.TotalMilliseconds);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
        }
    }

    /// <summary>
    /// Tells whether a live change is the first after a quiet period (no live-change reconcile began within
    /// <see cref="GitOpsOptions.DriftDebounce"/>): then it is corrected at once, and only what follows is debounced.
    /// </summary>
    private bool IsLeadingEdge(DateTimeOffset? lastLiveChangeRun) =>
        _options.DriftLeadingEdge && (lastLiveChangeRun is not { } last || _time.GetUtcNow() - last >= _options.DriftDebounce);

    private async Task<ReconcileTrigger> WaitAsync(ApplicationRuntime app, TimeSpan delay, bool retrying, CancellationToken stop)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var signals = app.SignalCount;
        var read = app.Triggers.WaitToReadAsync(cts.Token).AsTask();
        var timer = delay == Timeout.InfiniteTimeSpan
            ? Task.Delay(Timeout.InfiniteTimeSpan, cts.Token)
            : Task.Delay(delay, _time, cts.Token);
        var wake = Task.WhenAny(read, timer);
        app.EnterWait(delay == Timeout.InfiniteTimeSpan ? null : _time.GetUtcNow() + delay, timer, wake, signals);
        Task first;
        try
        {
            first = await wake.ConfigureAwait(false);
        }
        finally
        {
            app.LeaveWait();
        }

        await cts.CancelAsync().ConfigureAwait(false);
        stop.ThrowIfCancellationRequested();
        if (first == read && app.Triggers.TryRead(out var trigger))
        {
            return trigger;
        }

        return retrying ? ReconcileTrigger.Retry : ReconcileTrigger.Interval;
    }

    private static ReconcileTrigger Drain(ApplicationRuntime app, ReconcileTrigger trigger)
    {
        while (app.Triggers.TryRead(out var more))
        {
            if (Rank(more) > Rank(trigger))
            {
                trigger = more;
            }
        }

        return trigger;
    }

    /// <summary>
    /// The trigger of the reconcile after a wait for dependencies: the strongest one seen, but never one that may skip an
    /// unchanged revision (the status still says the application waits, and a full reconcile replaces that).
    /// </summary>
    private static ReconcileTrigger AfterDependencyWait(ReconcileTrigger trigger) =>
        trigger is ReconcileTrigger.Interval or ReconcileTrigger.SourceChanged or ReconcileTrigger.Retry ? ReconcileTrigger.DependencyReady : trigger;

    private static int Rank(ReconcileTrigger t) => t switch
    {
        ReconcileTrigger.Approval => 8,
        ReconcileTrigger.Manual => 7,
        ReconcileTrigger.ApplicationChanged => 6,
        ReconcileTrigger.SourceChanged => 5,
        ReconcileTrigger.LiveChange => 4,
        ReconcileTrigger.DependencyReady => 3,
        ReconcileTrigger.Retry => 2,
        ReconcileTrigger.Startup => 1,
        _ => 0,
    };

    /// <summary>First retry after <see cref="ApplicationDefinition.MinRetryDelay"/>, doubling up to <see cref="ApplicationDefinition.MaxRetryDelay"/>.</summary>
    internal TimeSpan Backoff(ApplicationDefinition app, int failures)
    {
        var exponent = Math.Min(failures - 1, 30);
        var ticks = Math.Min((double)app.MinRetryDelay.Ticks * Math.Pow(2, exponent), app.MaxRetryDelay.Ticks);
        return Jitter(TimeSpan.FromTicks((long)ticks), app.MaxRetryDelay);
    }

    internal TimeSpan Jitter(TimeSpan value, TimeSpan? cap = null)
    {
        if (_options.JitterFraction <= 0)
        {
            return value;
        }

#pragma warning disable CA5394 // Jitter spreads load; it needs no cryptographic randomness.
        var factor = 1 + (((Random.Shared.NextDouble() * 2) - 1) * _options.JitterFraction);
#pragma warning restore CA5394
        var jittered = TimeSpan.FromTicks((long)(value.Ticks * factor));
        return cap is { } c && jittered > c ? c : jittered;
    }

    private sealed class LiveChangeObserver(GitOpsController controller, string? target) : IObserver<LiveChange>
    {
        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnNext(LiveChange value) => controller.OnLiveChange(value, target);
    }
}
