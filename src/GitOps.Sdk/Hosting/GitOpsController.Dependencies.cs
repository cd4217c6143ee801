using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Events;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// Dependencies between applications at run time: the gate before each scheduled reconcile, and waking the
/// applications that wait when one they depend on has reconciled and is ready.
/// </summary>
internal sealed partial class GitOpsController
{
    /// <summary>Returns each dependency of <paramref name="app"/> that is not ready, with why; empty when it may reconcile.</summary>
    internal IReadOnlyList<(string Name, string Why)> WaitingFor(ApplicationRuntime app)
    {
        var set = Set;
        var waiting = new List<(string Name, string Why)>();
        foreach (var name in ApplicationDependencies.Of(app.Definition))
        {
            var why = set.ByName.TryGetValue(name, out var dependency)
                ? ApplicationDependencies.NotReady(dependency.Reconciler.Status, dependency.Suspended)
                : "unknown application";
            if (why is not null)
            {
                waiting.Add((name, why));
            }
        }

        return waiting;
    }

    /// <summary>
    /// The scheduler's gate before a reconcile of <paramref name="app"/>: <see langword="null"/> when every dependency is
    /// ready. Otherwise the Ready condition says what it waits for (reason <c>DependencyNotReady</c>), and a log entry
    /// and a <see cref="DependencyNotReady"/> event say so whenever that changes; the message is returned.
    /// </summary>
    internal string? GateDependencies(ApplicationRuntime app)
    {
        if (app.Definition.DependsOn.IsDefaultOrEmpty)
        {
            return null;
        }

        // Set before the statuses are read: a dependency that finishes from now on wakes this application.
        app.WaitingForDependencies = true;
        var waiting = WaitingFor(app);
        if (waiting.Count == 0)
        {
            app.WaitingForDependencies = false;
            if (app.DependencyWait is not null)
            {
                app.DependencyWait = null;
                Log.DependenciesReady(_logger, app.Name);
            }

            return null;
        }

        var message = Describe(waiting);
        var now = _services.Time.GetUtcNow();
        app.Reconciler.UpdateStatus(s => s with
        {
            Conditions = StatusConditions.Set(s.Conditions, ConditionTypes.Ready, ConditionStatus.False, ApplicationDependencies.NotReadyReason, message, now),
        });
        if (!string.Equals(message, app.DependencyWait, StringComparison.Ordinal))
        {
            app.DependencyWait = message;
            Log.DependencyNotReady(_logger, app.Name, message);
            _services.Events.Publish(new DependencyNotReady { Application = app.Name, Timestamp = now, Dependencies = [.. waiting.Select(static w => w.Name)], Message = message });
        }

        return message;
    }

    /// <summary>
    /// After a reconcile of <paramref name="app"/>, when it is suspended or removed: every application that waits for it checks
    /// its dependencies again, and reconciles when they are ready (otherwise its status says what it waits for now).
    /// </summary>
    private void WakeDependents(ApplicationRuntime app)
    {
        // The status this application just wrote must be visible before the dependents' flags are read (see WaitingForDependencies).
        Interlocked.MemoryBarrier();
        foreach (var dependent in Set.Ordered)
        {
            if (dependent.WaitingForDependencies && ApplicationDependencies.Of(dependent.Definition).Contains(app.Name, StringComparer.Ordinal))
            {
                dependent.Signal(ReconcileTrigger.DependencyReady);
            }
        }
    }

    private static string Describe(IReadOnlyList<(string Name, string Why)> waiting) =>
        "waiting for " + string.Join(", ", waiting.Select(static w => $"{w.Name} ({w.Why})"));
}
