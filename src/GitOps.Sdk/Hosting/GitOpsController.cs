using System.Threading.Channels;
using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Events;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Hosting;

/// <summary>Holds one <see cref="Reconciler"/> per application, the trigger queues the scheduler reads, and the global concurrency limit.</summary>
internal sealed class GitOpsController : IGitOpsController, IDisposable
{
    private readonly ReconcilerServices _services;
    private readonly Dictionary<string, ApplicationRuntime> _apps;
    private readonly List<ApplicationRuntime> _ordered;
    private readonly SemaphoreSlim _concurrency;
    private readonly ILogger _logger;
    private int _slotWaiters;

    public GitOpsController(ReconcilerServices services)
    {
        _services = services;
        _logger = services.LoggerFactory.CreateLogger("GitOps.Sdk.Controller");
        _concurrency = new SemaphoreSlim(Math.Max(1, services.Options.MaxConcurrentReconciles));
        _ordered = [.. services.Options.Applications.Select(d => new ApplicationRuntime(new Reconciler(d, services)))];
        _apps = _ordered.ToDictionary(static a => a.Name, StringComparer.Ordinal);
    }

    public IObservable<ReconcileEvent> Events => _services.Events.Events;

    public IReadOnlyList<string> Applications => [.. _ordered.Select(static a => a.Name)];

    internal IReadOnlyList<ApplicationRuntime> Runtimes => _ordered;

    internal ReconcilerServices Services => _services;

    /// <summary>Gets how many reconciles wait for a slot of the global concurrency limit (a deterministic signal for tests).</summary>
    internal int SlotWaiters => Volatile.Read(ref _slotWaiters);

    public ApplicationStatus? GetStatus(string application) =>
        _apps.TryGetValue(application, out var a) ? a.Reconciler.Status : null;

    public IReadOnlyList<ApplicationStatus> GetAll() => [.. _ordered.Select(static a => a.Reconciler.Status)];

    public bool RequestReconcile(string application)
    {
        if (!_apps.TryGetValue(application, out var a) || a.Suspended)
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
        foreach (var a in _ordered)
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
        if (!_apps.TryGetValue(application, out var a))
        {
            throw new KeyNotFoundException($"GitOps: no application named '{application}' is configured.");
        }

        return await RunAsync(a, ReconcileTrigger.Manual, cancellationToken).ConfigureAwait(false);
    }

    public bool Suspend(string application)
    {
        if (!_apps.TryGetValue(application, out var a))
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
        if (!_apps.TryGetValue(application, out var a))
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
        if (!_apps.TryGetValue(application, out var a) || !a.Reconciler.Approve(planHash))
        {
            return false;
        }

        a.Signal(ReconcileTrigger.Approval);
        return true;
    }

    /// <summary>Runs one reconcile under the global concurrency limit.</summary>
    internal async Task<ReconcileResult> RunAsync(ApplicationRuntime app, ReconcileTrigger trigger, CancellationToken cancellationToken)
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
        foreach (var a in _ordered)
        {
            if (!a.Suspended && a.Reconciler.IsForeignChange(change) && _services.Options.ReconcileOnLiveChange)
            {
                Log.LiveChangeTrigger(_logger, change.Key.ToString(), a.Name);
                a.Signal(ReconcileTrigger.LiveChange);
            }
        }
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

/// <summary>An application as the scheduler sees it: its reconciler, trigger queue and suspend flag.</summary>
internal sealed class ApplicationRuntime(Reconciler reconciler)
{
    private readonly Channel<ReconcileTrigger> _triggers = Channel.CreateUnbounded<ReconcileTrigger>(new UnboundedChannelOptions { SingleReader = true });
    private volatile bool _suspended = reconciler.Definition.Suspended;
    private SchedulerWait? _wait;
    private int _waits;
    private int _signals;

    public Reconciler Reconciler { get; } = reconciler;

    public string Name => Reconciler.Name;

    public bool Suspended
    {
        get => _suspended;
        set => _suspended = value;
    }

    public ChannelReader<ReconcileTrigger> Triggers => _triggers.Reader;

    public void Signal(ReconcileTrigger trigger)
    {
        Interlocked.Increment(ref _signals);
        _triggers.Writer.TryWrite(trigger);
    }

    /// <summary>Gets how many triggers were signalled so far.</summary>
    internal int SignalCount => Volatile.Read(ref _signals);

    /// <summary>
    /// Gets what the scheduler loop is blocked on right now (its clock deadline and the task that wakes it), or
    /// <see langword="null"/> while it runs. Tests use it instead of sleeping: "nothing happened" is a wait whose wake
    /// task has not completed, and a fake clock is advanced only while the loop waits on it.
    /// </summary>
    internal SchedulerWait? CurrentWait => Volatile.Read(ref _wait);

    internal void EnterWait(DateTimeOffset? until, Task timer, Task wake, int signalsAtEntry) =>
        Volatile.Write(ref _wait, new SchedulerWait(Interlocked.Increment(ref _waits), until, timer, wake, signalsAtEntry));

    /// <summary>
    /// Tells whether something has ended <paramref name="wait"/>: its timer fired (a fake clock completes it inside
    /// Advance), a trigger was signalled after it began (counted synchronously, before the channel wakes the loop), or
    /// it is over.
    /// </summary>
    internal bool IsWoken(SchedulerWait wait) =>
        wait.Timer.IsCompleted || wait.Wake.IsCompleted || SignalCount != wait.SignalsAtEntry;

    internal void LeaveWait() => Volatile.Write(ref _wait, null);
}

/// <summary>
/// One wait of a scheduler loop: its sequence number (1, 2, ...), its clock deadline (<see langword="null"/> = triggers
/// only), its timer, the task that ends it and the trigger count when it began.
/// </summary>
internal sealed record SchedulerWait(int Sequence, DateTimeOffset? Until, Task Timer, Task Wake, int SignalsAtEntry);
