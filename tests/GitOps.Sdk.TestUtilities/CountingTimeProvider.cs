using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace GitOps.Sdk.TestUtilities;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that counts the timers created on it and those whose callback ran. Timers fire
/// synchronously inside <see cref="FakeTimeProvider.Advance"/>, so "the wait has not ended yet" is a count, not a sleep.
/// </summary>
public sealed class CountingTimeProvider : FakeTimeProvider
{
    private readonly ConcurrentDictionary<TimeSpan, int> _createdByDue = new();
    private readonly ConcurrentDictionary<TimeSpan, int> _firedByDue = new();
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

    /// <summary>Gets how many timers were created with <paramref name="dueTime"/> (tells a retry delay from a request timeout).</summary>
    /// <param name="dueTime">The due time asked for.</param>
    /// <returns>The count.</returns>
    public int TimersCreatedWithDueTime(TimeSpan dueTime) => _createdByDue.GetValueOrDefault(dueTime);

    /// <summary>Gets how many callbacks of timers created with <paramref name="dueTime"/> ran.</summary>
    /// <param name="dueTime">The due time asked for.</param>
    /// <returns>The count.</returns>
    public int TimersFiredWithDueTime(TimeSpan dueTime) => _firedByDue.GetValueOrDefault(dueTime);

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = base.CreateTimer(
            s =>
            {
                Interlocked.Increment(ref _fired);
                _firedByDue.AddOrUpdate(dueTime, 1, (_, n) => n + 1);
                callback(s);
            },
            state,
            dueTime,
            period);
        Interlocked.Increment(ref _created);
        _createdByDue.AddOrUpdate(dueTime, 1, (_, n) => n + 1);
        return timer;
    }
}
