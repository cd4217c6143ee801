using System.Threading.Channels;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// An application as the scheduler sees it: its reconciler, trigger queue and suspend flag, and its life: a runtime is
/// replaced (the application changed) or retired (removed) by <see cref="BeginStop"/>, which cancels its loop and its
/// running reconcile; <see cref="Stopped"/> completes when neither is left, and a successor runs nothing before that.
/// </summary>
internal sealed class ApplicationRuntime(Reconciler reconciler, ApplicationRuntime? predecessor = null, bool? suspended = null)
{
    private readonly Channel<ReconcileTrigger> _triggers = Channel.CreateUnbounded<ReconcileTrigger>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private volatile bool _suspended = suspended ?? reconciler.Definition.Suspended;
    private SchedulerWait? _wait;
    private Task? _loop;
    private int _active;
    private bool _stopping;
    private int _waits;
    private int _signals;

    public Reconciler Reconciler { get; } = reconciler;

    /// <summary>Gets the runtime this one replaces (the application's previous settings), if any.</summary>
    public ApplicationRuntime? Predecessor { get; private set; } = predecessor;

    /// <summary>Gets a token cancelled when the runtime is replaced or retired.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>Gets a task that completes when the runtime's loop has ended and no reconcile of it runs.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>Gets the scheduler loop, once started.</summary>
    internal Task? Loop => Volatile.Read(ref _loop);

    /// <summary>Waits until the predecessor (if any) has stopped, so that two reconcilers never run the same application.</summary>
    public async Task WaitForPredecessorAsync(CancellationToken cancellationToken)
    {
        if (Predecessor is { } p)
        {
            await p.Stopped.WaitAsync(cancellationToken).ConfigureAwait(false);
            Predecessor = null;
        }
    }

    public void AttachLoop(Task loop) => Volatile.Write(ref _loop, loop);

    /// <summary>Counts a reconcile in; <see langword="false"/> once the runtime is stopping.</summary>
    public bool TryEnterRun()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return false;
            }

            _active++;
            return true;
        }
    }

    public void ExitRun()
    {
        lock (_gate)
        {
            if (--_active == 0 && _stopping)
            {
                _drained.TrySetResult();
            }
        }
    }

    /// <summary>Cancels the loop and the running reconcile; <see cref="Stopped"/> completes when both are over.</summary>
    public void BeginStop()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            if (_active == 0)
            {
                _drained.TrySetResult();
            }
        }

        _stop.Cancel();
        _ = CompleteStopAsync();
    }

    private async Task CompleteStopAsync()
    {
        if (Loop is { } loop)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _drained.Task.ConfigureAwait(false);
        _stopped.TrySetResult();
    }

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
