using GitOps.Sdk;
using GitOps.Sdk.Events;

namespace GitOps.Samples.Quickstart;

/// <summary>Keeps every engine event, prints it as it happens, and lets the program wait for the one it needs.</summary>
internal sealed class EventLog(Narrator narrator) : IObserver<ReconcileEvent>
{
    private readonly List<ReconcileEvent> _events = [];
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _events.Count;
            }
        }
    }

    public IReadOnlyList<T> After<T>(int index)
        where T : ReconcileEvent
    {
        lock (_lock)
        {
            return [.. _events.Skip(index).OfType<T>()];
        }
    }

    public async Task<T> WaitForAsync<T>(Func<T, bool> predicate, CancellationToken cancellationToken, int after = 0)
        where T : ReconcileEvent
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                var match = _events.Skip(after).OfType<T>().FirstOrDefault(predicate);
                if (match is not null)
                {
                    return match;
                }

                var failed = _events.Skip(after).OfType<ReconcileFailed>().FirstOrDefault();
                if (failed is not null && typeof(T) != typeof(ReconcileFailed))
                {
                    throw new InvalidOperationException($"reconcile of '{failed.Application}' failed in stage {failed.Stage}: {failed.Message}");
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    public void OnNext(ReconcileEvent value)
    {
        narrator.Event(Describe(value));
        TaskCompletionSource changed;
        lock (_lock)
        {
            _events.Add(value);
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public void OnError(Exception error) => narrator.Event($"event stream failed: {error.Message}");

    public void OnCompleted()
    {
    }

    private static string Describe(ReconcileEvent e) => e switch
    {
        SourceFetched f => $"fetched {f.Source} at {f.Revision}",
        Rendered r => $"rendered {r.ObjectCount} objects with the {r.Renderer ?? "default"} renderer",
        DriftDetected d => $"drift detected in {d.Objects.Length} object(s): {string.Join(", ", d.Objects.Select(o => $"{o.Key} ({o.Action})"))}",
        Applied a => $"applied: {string.Join(", ", a.Objects.Where(o => o.Outcome != ApplyOutcome.Unchanged).Select(o => $"{o.Key} {o.Outcome.ToString().ToLowerInvariant()}").DefaultIfEmpty("nothing to write"))}",
        Pruned p => $"pruned {string.Join(", ", p.Objects)}",
        HealthChanged h => $"health {h.Previous?.ToString() ?? "unknown"} -> {h.Current.Status}{(h.Current.Message is null ? string.Empty : $" ({h.Current.Message})")}",
        ReconcileFailed f => $"reconcile failed in {f.Stage}: {f.Message}",
        ReconcileCompleted c => $"reconcile {c.Outcome} in {c.Duration.TotalMilliseconds:0} ms (trigger: {c.Trigger})",
        _ => e.GetType().Name,
    };
}
