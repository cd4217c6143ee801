using System.Collections.Immutable;
using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Events;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// Holds one <see cref="Reconciler"/> per application, the trigger queues the scheduler reads, and the global concurrency
/// limit of each target. The set of applications follows the <see cref="IApplicationSource"/>s (<see cref="ApplicationCatalog"/>):
/// after a source changes, <see cref="Refresh"/> starts, restarts or stops loops through the attached scheduler.
/// </summary>
internal sealed partial class GitOpsController : IGitOpsController, IDisposable
{
    private readonly ReconcilerServices _services;
    private readonly ApplicationCatalog _catalog;
    private readonly Dictionary<string, SemaphoreSlim> _concurrency = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> _lastLoops = new(StringComparer.Ordinal);
    private ApplicationSet _set = ApplicationSet.Empty;
    private Func<ApplicationRuntime, Task, Task>? _startLoop;
    private int _slotWaiters;

    public GitOpsController(ReconcilerServices services, IEnumerable<IApplicationSource> sources)
    {
        _services = services;
        _logger = services.LoggerFactory.CreateLogger("GitOps.Sdk.Controller");
        _catalog = new ApplicationCatalog(sources);
        Refresh(startup: true);
        _catalog.Watch(RefreshAfterChange);
    }

    public IObservable<ReconcileEvent> Events => _services.Events.Events;

    public IReadOnlyList<string> Applications => [.. Set.Ordered.Select(static a => a.Name)];

    /// <summary>Gets the applications that run now, in source order then listing order.</summary>
    internal IReadOnlyList<ApplicationRuntime> Runtimes => Set.Ordered;

    internal ReconcilerServices Services => _services;

    /// <summary>Gets how many reconciles wait for a slot of the global concurrency limit (a deterministic signal for tests).</summary>
    internal int SlotWaiters => Volatile.Read(ref _slotWaiters);

    private ApplicationSet Set => Volatile.Read(ref _set);

    public ApplicationDefinition? GetDefinition(string application) =>
        Set.ByName.TryGetValue(application, out var a) ? a.Definition : null;

    public IReadOnlyList<ApplicationDefinition> GetDefinitions() => [.. Set.Ordered.Select(static a => a.Definition)];

    public ApplicationStatus? GetStatus(string application) =>
        Set.ByName.TryGetValue(application, out var a) ? a.Reconciler.Status : null;

    public IReadOnlyList<ApplicationStatus> GetAll() => [.. Set.Ordered.Select(static a => a.Reconciler.Status)];

    public bool RequestReconcile(string application)
    {
        if (!Set.ByName.TryGetValue(application, out var a) || a.Suspended)
        {
            return false;
        }

        a.Signal(ReconcileTrigger.Manual);
        return true;
    }

    public int NotifySourceChanged(string sourceUrl)
    {
        var wanted = NormalizeUrl(sourceUrl);
        var count = 0;
        foreach (var a in Set.Ordered)
        {
            if (!a.Suspended && a.Reconciler.Definition.Source is { } s && NormalizeUrl(s.Url) == wanted)
            {
                a.Signal(ReconcileTrigger.SourceChanged);
                count++;
            }
        }

        return count;
    }

    public async Task<ReconcileResult> ReconcileAsync(string application, CancellationToken cancellationToken)
    {
        if (!Set.ByName.TryGetValue(application, out var a))
        {
            throw new KeyNotFoundException($"GitOps: no application named '{application}' is configured.");
        }

        if (WaitingFor(a) is { Count: > 0 } waiting)
        {
            throw new InvalidOperationException($"GitOps application '{application}' is not reconciled: it is {Describe(waiting)}.");
        }

        return await RunAsync(a, ReconcileTrigger.Manual, cancellationToken).ConfigureAwait(false);
    }

    public bool Suspend(string application)
    {
        if (!Set.ByName.TryGetValue(application, out var a))
        {
            return false;
        }

        a.Suspended = true;
        a.Reconciler.UpdateStatus(s => s with { Suspended = true });
        Log.SuspendChanged(_logger, application, "suspended");
        WakeDependents(a);
        return true;
    }

    public bool Resume(string application)
    {
        if (!Set.ByName.TryGetValue(application, out var a))
        {
            return false;
        }

        a.Suspended = false;
        a.Reconciler.UpdateStatus(s => s with { Suspended = false });
        Log.SuspendChanged(_logger, application, "resumed");
        a.Signal(ReconcileTrigger.Manual);
        return true;
    }

    public bool Approve(string application, string planHash)
    {
        if (!Set.ByName.TryGetValue(application, out var a) || !a.Reconciler.Approve(planHash))
        {
            return false;
        }

        a.Signal(ReconcileTrigger.Approval);
        return true;
    }

    /// <summary>The concurrency limit of a target (<see cref="GitOpsOptions.MaxConcurrentReconciles"/> each), so a slow cluster does not take the slots of another.</summary>
    private SemaphoreSlim ConcurrencyOf(string? target)
    {
        lock (_sync)
        {
            var key = target ?? string.Empty;
            if (!_concurrency.TryGetValue(key, out var gate))
            {
                gate = new SemaphoreSlim(Math.Max(1, _services.Options.MaxConcurrentReconciles));
                _concurrency[key] = gate;
            }

            return gate;
        }
    }

    /// <summary>Runs one reconcile under its target's concurrency limit.</summary>
    internal async Task<ReconcileResult> RunAsync(ApplicationRuntime app, ReconcileTrigger trigger, CancellationToken cancellationToken)
    {
        var concurrency = ConcurrencyOf(app.Reconciler.Definition.Target);
        Interlocked.Increment(ref _slotWaiters);
        try
        {
            await concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _slotWaiters);
        }

        try
        {
            return await app.Reconciler.ReconcileAsync(trigger, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            concurrency.Release();

            // Watch events that arrived during the run are judged now that the run's own writes are known.
            if (app.Reconciler.TakeForeignChangesDuringRun() && !app.Suspended && _services.Options.ReconcileOnLiveChange)
            {
                app.Signal(ReconcileTrigger.LiveChange);
            }

            WakeDependents(app);
        }
    }

    /// <summary>
    /// Routes a live change of <paramref name="target"/>'s cluster to the applications on that target that manage the
    /// object: each records someone else's change (so its next interval reconcile is not skipped), and reconciles soon
    /// when <see cref="GitOpsOptions.ReconcileOnLiveChange"/> is on.
    /// </summary>
    internal void OnLiveChange(LiveChange change, string? target = null)
    {
        foreach (var a in Set.Ordered)
        {
            if (!string.Equals(a.Reconciler.Definition.Target ?? string.Empty, target ?? string.Empty, StringComparison.Ordinal))
            {
                continue;
            }

            if (!a.Suspended && a.Reconciler.IsForeignChange(change) && _services.Options.ReconcileOnLiveChange)
            {
                Log.LiveChangeTrigger(_logger, change.Key.ToString(), a.Name);
                a.Signal(ReconcileTrigger.LiveChange);
            }
        }
    }

    public void Dispose()
    {
        _catalog.Dispose();
        lock (_sync)
        {
            foreach (var gate in _concurrency.Values)
            {
                gate.Dispose();
            }
        }
    }

    internal static string NormalizeUrl(string url)
    {
        var u = SafeUrl.Redact(url).Trim().TrimEnd('/');
        if (u.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            u = u[..^4];
        }

        return u.ToLowerInvariant();
    }
}
