using Microsoft.Extensions.Time.Testing;

namespace GitOps.Sdk.TestUtilities;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts the timers created on it and those whose callback ran. Timers fire
/// synchronously inside <see cref="FakeTimeProvider.Advance"/>, so "the wait has not ended yet" is a count, not a sleep.
/// </summary>
public sealed class CountingTimeProvider : FakeTimeProvider
{
    private int _created;
    private int _fired;

    /// <summary>Initializes a new instance at <paramref name="start"/>.</summary>
    /// <param name="start">The initial time.</param>
    public CountingTimeProvider(DateTimeOffset start)
        : base(start)
    {
    }

    /// <summary>Gets how many timers were created (a <c>Task.Delay</c> on this provider creates one).</summary>
    public int TimersCreated => Volatile.Read(ref _created);

    /// <summary>Gets how many timer callbacks ran.</summary>
    public int TimersFired => Volatile.Read(ref _fired);

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = base.CreateTimer(
            s =>
            {
                Interlocked.Increment(ref _fired);
                callback(s);
            },
            state,
            dueTime,
            period);
        Interlocked.Increment(ref _created);
        return timer;
    }
}
