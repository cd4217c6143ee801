using System.Collections.Immutable;
using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Events;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// Holds one <see cref="Reconciler"/> per application of the current set (<see cref="ApplicationCatalog"/>), the trigger
/// queues the scheduler reads, and the global concurrency limit. When the set changes it starts, restarts or stops
/// loops: a changed application gets a new reconciler, which runs nothing until the old one has stopped; a removed one
/// only stops (nothing is pruned, its inventory stays for a later return).
/// </summary>
internal sealed class GitOpsController : IGitOpsController, IDisposable
{
    private readonly ReconcilerServices _services;
    private readonly SemaphoreSlim _concurrency;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<ApplicationRuntime> _retired = [];
    private volatile ApplicationSet _set;
    private Func<ApplicationRuntime, CancellationToken, Task>? _loop;
    private CancellationToken _hostStopping;
    private int _slotWaiters;

    public GitOpsController(ReconcilerServices services, ApplicationCatalog catalog)
    {
        _services = services;
        _logger = services.LoggerFactory.CreateLogger("GitOps.Sdk.Controller");
        _concurrency = new SemaphoreSlim(Math.Max(1, services.Options.MaxConcurrentReconciles));
        lock (_gate)
        {
            _set = new ApplicationSet([.. catalog.Current.Select(a => new ApplicationRuntime(new Reconciler(a.Definition, services)))]);
            catalog.Subscribe(Apply);
        }
    }

    public IObservable<ReconcileEvent> Events => _services.Events.Events;

    public IReadOnlyList<string> Applications => [.. _set.Ordered.Select(static a => a.Name)];

    internal IReadOnlyList<ApplicationRuntime> Runtimes => _set.Ordered;

    internal ReconcilerServices Services => _services;

    /// <summary>Gets how many reconciles wait for a slot of the global concurrency limit (a deterministic signal for tests).</summary>
    internal int SlotWaiters => Volatile.Read(ref _slotWaiters);

    public ApplicationStatus? GetStatus(string application) =>
        _set.ByName.TryGetValue(application, out var a) ? a.Reconciler.Status : null;

    public IReadOnlyList<ApplicationStatus> GetAll() => [.. _set.Ordered.Select(static a => a.Reconciler.Status)];

    public bool RequestReconcile(string application)
    {
        if (!_set.ByName.TryGetValue(application, out var a) || a.Suspended)
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
        foreach (var a in _set.Ordered)
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
        while (true)
        {
            if (!_set.ByName.TryGetValue(application, out var a))
            {
                throw new KeyNotFoundException($"GitOps: no application named '{application}' is configured.");
            }

            // A runtime replaced meanwhile (the application changed) runs nothing: ask its successor.
            if (await RunAsync(a, ReconcileTrigger.Manual, cancellationToken).ConfigureAwait(false) is { } result)
            {
                return result;
            }
        }
    }

    public bool Suspend(string application)
    {
        if (!_set.ByName.TryGetValue(application, out var a))
        {
            return false;
        }

        a.Suspended = true;
        a.Reconciler.UpdateStatus(s => s with { Suspended = true });
        Log.SuspendChanged(_logger, application, "suspended");
        return true;
    }

    public bool Resume(string application)
    {
        if (!_set.ByName.TryGetValue(application, out var a))
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
        if (!_set.ByName.TryGetValue(application, out var a) || !a.Reconciler.Approve(planHash))
        {
            return false;
        }

        a.Signal(ReconcileTrigger.Approval);
        return true;
    }

    /// <summary>
    /// Runs one reconcile under the global concurrency limit, after the application's previous runtime has stopped;
    /// returns <see langword="null"/> when <paramref name="app"/> is stopping (replaced or removed). Replacing or removing
    /// the application cancels the run.
    /// </summary>
    internal async Task<ReconcileResult?> RunAsync(ApplicationRuntime app, ReconcileTrigger trigger, CancellationToken cancellationToken)
    {
        if (!app.TryEnterRun())
        {
            return null;
        }

        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, app.Stopping);
            try
            {
                await app.WaitForPredecessorAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (app.Stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return null;
            }

            return await RunUnderLimitAsync(app, trigger, linked.Token).ConfigureAwait(false);
        }
        finally
        {
            app.ExitRun();
        }
    }

    private async Task<ReconcileResult> RunUnderLimitAsync(ApplicationRuntime app, ReconcileTrigger trigger, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _slotWaiters);
        try
        {
            await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
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
            _concurrency.Release();

            // Watch events that arrived during the run are judged now that the run's own writes are known.
            if (app.Reconciler.TakeForeignChangesDuringRun() && !app.Suspended && _services.Options.ReconcileOnLiveChange)
            {
                app.Signal(ReconcileTrigger.LiveChange);
            }
        }
    }

    /// <summary>
    /// Routes a live change to the applications that manage the object: each records someone else's change (so its next
    /// interval reconcile is not skipped), and reconciles soon when <see cref="GitOpsOptions.ReconcileOnLiveChange"/> is on.
    /// </summary>
    internal void OnLiveChange(LiveChange change)
    {
        foreach (var a in _set.Ordered)
        {
            if (!a.Suspended && a.Reconciler.IsForeignChange(change) && _services.Options.ReconcileOnLiveChange)
            {
                Log.LiveChangeTrigger(_logger, change.Key.ToString(), a.Name);
                a.Signal(ReconcileTrigger.LiveChange);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="loop"/> for every application, and for every application added or changed later, until
    /// <paramref name="stoppingToken"/> is cancelled; then waits for every loop to end.
    /// </summary>
    internal async Task RunLoopsAsync(Func<ApplicationRuntime, CancellationToken, Task> loop, CancellationToken stoppingToken)
    {
        lock (_gate)
        {
            _loop = loop;
            _hostStopping = stoppingToken;
            foreach (var a in _set.Ordered)
            {
                StartLoop(a);
            }
        }

        await Task.Delay(Timeout.InfiniteTimeSpan, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task[] loops;
        lock (_gate)
        {
            _loop = null;
            loops = [.. _set.Ordered.Concat(_retired).Select(static a => a.Loop).OfType<Task>()];
        }

        await Task.WhenAll(loops).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Takes a new application set from the catalog (called in order, under the catalog's lock).</summary>
    private void Apply(ImmutableArray<(ApplicationDefinition Definition, string Source)> applications)
    {
        lock (_gate)
        {
            var old = _set;
            var next = new List<ApplicationRuntime>(applications.Length);
            var started = new List<ApplicationRuntime>();
            foreach (var (definition, source) in applications)
            {
                if (!old.ByName.TryGetValue(definition.Name, out var current))
                {
                    var added = new ApplicationRuntime(new Reconciler(definition, _services));
                    next.Add(added);
                    started.Add(added);
                    Log.ApplicationAdded(_logger, definition.Name, source);
                    continue;
                }

                if (current.Reconciler.Definition.Equals(definition))
                {
                    next.Add(current);
                    continue;
                }

                // A suspend or resume at run time holds until the definition's own Suspended setting changes.
                var suspended = current.Reconciler.Definition.Suspended != definition.Suspended ? definition.Suspended : current.Suspended;
                Retire(current);
                var changed = new ApplicationRuntime(new Reconciler(definition, _services), current, suspended);
                changed.Reconciler.UpdateStatus(s => s with { Suspended = suspended });
                next.Add(changed);
                started.Add(changed);
                Log.ApplicationChanged(_logger, definition.Name);
            }

            var kept = next.Select(static a => a.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var removed in old.Ordered.Where(a => !kept.Contains(a.Name)))
            {
                Retire(removed);
                Log.ApplicationRemoved(_logger, removed.Name);
            }

            _set = new ApplicationSet([.. next]);
            foreach (var a in started)
            {
                StartLoop(a);
            }
        }
    }

    private void Retire(ApplicationRuntime runtime)
    {
        runtime.BeginStop();
        _retired.Add(runtime);
        _retired.RemoveAll(static r => r.Stopped.IsCompleted);
    }

    private void StartLoop(ApplicationRuntime app)
    {
        if (_loop is not { } loop)
        {
            return;
        }

        var hostStopping = _hostStopping;
        app.AttachLoop(Task.Run(
            async () =>
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(hostStopping, app.Stopping);
                try
                {
                    await app.WaitForPredecessorAsync(linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                await loop(app, linked.Token).ConfigureAwait(false);
            },
            CancellationToken.None));
    }

    public void Dispose() => _concurrency.Dispose();

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

/// <summary>The current runtimes, in order and by name; replaced whole, never changed.</summary>
internal sealed class ApplicationSet(ImmutableArray<ApplicationRuntime> ordered)
{
    public ImmutableArray<ApplicationRuntime> Ordered { get; } = ordered;

    public ImmutableDictionary<string, ApplicationRuntime> ByName { get; } = ordered.ToImmutableDictionary(static a => a.Name, StringComparer.Ordinal);
}
