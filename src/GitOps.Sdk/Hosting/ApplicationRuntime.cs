using System.Threading.Channels;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// An application as the scheduler sees it: its reconciler, the source it comes from, trigger queue, suspend flag and
/// its loop's lifetime (a removed or changed application's loop is stopped through <see cref="Stopping"/>).
/// </summary>
internal sealed class ApplicationRuntime(Reconciler reconciler, string source, bool? suspended = null, ReconcileTrigger firstTrigger = ReconcileTrigger.Startup)
{
    private readonly Channel<ReconcileTrigger> _triggers = Channel.CreateUnbounded<ReconcileTrigger>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _suspended = suspended ?? reconciler.Definition.Suspended;
    private SchedulerWait? _wait;
    private bool _waitingForDependencies;
    private int _waits;
    private int _signals;

    public Reconciler Reconciler { get; } = reconciler;

    public string Name => Reconciler.Name;

    /// <summary>Gets the definition the loop runs with (read once: a changed definition gets a new runtime).</summary>
    public ApplicationDefinition Definition => Reconciler.Definition;

    /// <summary>Gets the trigger of the loop's first reconcile: <see cref="ReconcileTrigger.Startup"/>, or <see cref="ReconcileTrigger.ApplicationChanged"/> for an application added or changed while the host runs.</summary>
    public ReconcileTrigger FirstTrigger { get; } = firstTrigger;

    /// <summary>Gets the name of the <see cref="IApplicationSource"/> the definition comes from.</summary>
    public string Source { get; } = source;

    /// <summary>Gets the token that ends this application's loop (and cancels its running reconcile between steps).</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Gets or sets the loop's task once the scheduler started it; a replacement waits for it before it runs.</summary>
    public Task Loop { get; set; } = Task.CompletedTask;

    /// <summary>Ends the loop: the application was removed or changed.</summary>
    public void Stop() => _stopping.Cancel();

    public bool Suspended
    {
        get => _suspended;
        set => _suspended = value;
    }

    /// <summary>
    /// Gets or sets a value indicating whether the loop waits for a dependency (<see cref="ApplicationDefinition.DependsOn"/>):
    /// a dependency that becomes ready signals it then.
    /// </summary>
    public bool WaitingForDependencies
    {
        get => Volatile.Read(ref _waitingForDependencies);
        // A full fence, not a release write: the gate writes this and then reads the dependencies' statuses, while a
        // dependency writes its status and then reads this (WakeDependents); with mere volatile accesses both could read
        // the old value and the wake-up would be lost until the interval.
        set => Interlocked.Exchange(ref _waitingForDependencies, value);
    }

    /// <summary>Gets or sets what the loop last reported it waits for, so that a wait is logged once; <see langword="null"/> when it does not wait.</summary>
    public string? DependencyWait { get; set; }

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

    /// <summary>Records a wait; <paramref name="signalsAtEntry"/> is <see langword="null"/> for a wait that triggers do not end (the drift debounce).</summary>
    internal void EnterWait(DateTimeOffset? until, Task timer, Task wake, int? signalsAtEntry) =>
        Volatile.Write(ref _wait, new SchedulerWait(Interlocked.Increment(ref _waits), until, timer, wake, signalsAtEntry));

    /// <summary>
    /// Tells whether something has ended <paramref name="wait"/>: its timer fired (a fake clock completes it inside
    /// Advance), a trigger was signalled after it began (counted synchronously, before the channel wakes the loop) when
    /// triggers end it, or it is over.
    /// </summary>
    internal bool IsWoken(SchedulerWait wait) =>
        wait.Timer.IsCompleted || wait.Wake.IsCompleted || (wait.SignalsAtEntry is { } atEntry && SignalCount != atEntry);

    internal void LeaveWait() => Volatile.Write(ref _wait, null);
}

/// <summary>
/// One wait of a scheduler loop: its sequence number (1, 2, ...), its clock deadline (<see langword="null"/> = triggers
/// only), its timer, the task that ends it and the trigger count when it began (<see langword="null"/> when triggers do
/// not end it: more live changes during the drift debounce join the same reconcile).
/// </summary>
internal sealed record SchedulerWait(int Sequence, DateTimeOffset? Until, Task Timer, Task Wake, int? SignalsAtEntry);
