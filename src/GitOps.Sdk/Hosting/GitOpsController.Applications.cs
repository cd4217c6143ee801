using System.Collections.Immutable;
using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Events;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Hosting;

/// <summary>The application set: applying the catalog's decisions, and the scheduler that runs the loops.</summary>
internal sealed partial class GitOpsController
{
    /// <summary>
    /// Attaches the scheduler: <paramref name="startLoop"/> starts an application's loop after the given task (the
    /// previous loop of a changed application) and returns the loop's task. Loops start at once for the applications
    /// there are, and from then on for each one added or changed.
    /// </summary>
    internal void AttachScheduler(Func<ApplicationRuntime, Task, Task> startLoop)
    {
        lock (_sync)
        {
            _startLoop = startLoop;
            foreach (var runtime in _set.Ordered)
            {
                StartLoop(runtime);
            }
        }
    }

    /// <summary>Detaches the scheduler at shutdown; returns every loop that may still run.</summary>
    internal IReadOnlyList<Task> DetachScheduler()
    {
        lock (_sync)
        {
            _startLoop = null;
            // The last loop of each name: it started after the name's earlier loops, so awaiting it awaits them too.
            return [.. _lastLoops.Values];
        }
    }

    /// <summary>
    /// Applies the sources' current applications: new names get a runtime (and a loop when the scheduler runs), changed
    /// definitions a new runtime whose loop starts when the old one has ended, missing names are stopped. Nothing is
    /// pruned. Refusals and source failures are logged as errors and published, once per distinct refusal.
    /// </summary>
    internal void Refresh(bool startup)
    {
        var events = new List<ReconcileEvent>();
        var effects = new List<Action>();
        lock (_sync)
        {
            var set = _set;
            var running = set.ByName.ToDictionary(static kv => kv.Key, static kv => (kv.Value.Source, kv.Value.Definition), StringComparer.Ordinal);
            var resolution = ApplicationDependencies.RefuseCycles(_catalog.Resolve(running, d => Validate(d, startup)), running);
            var now = _services.Time.GetUtcNow();
            Report(resolution, now, events);

            var ordered = ImmutableArray.CreateBuilder<ApplicationRuntime>(resolution.Accepted.Length);
            foreach (var accepted in resolution.Accepted)
            {
                var name = accepted.Definition.Name;
                if (!set.ByName.TryGetValue(name, out var existing))
                {
                    var added = new ApplicationRuntime(new Reconciler(accepted.Definition, _services.ForTarget(accepted.Definition.Target), GateOf(name)), accepted.Source, firstTrigger: startup ? ReconcileTrigger.Startup : ReconcileTrigger.ApplicationChanged);
                    ordered.Add(added);
                    if (!startup)
                    {
                        Log.ApplicationAdded(_logger, name, accepted.Source);
                        events.Add(new ApplicationAdded { Application = name, Timestamp = now, Source = accepted.Source });
                    }

                    effects.Add(() => StartLoop(added));
                    continue;
                }

                if (existing.Source == accepted.Source && existing.Definition == accepted.Definition)
                {
                    ordered.Add(existing);
                    continue;
                }

                if (!string.Equals(existing.Definition.Owner, accepted.Definition.Owner, StringComparison.Ordinal))
                {
                    // Another owner's application of the same name (another GitOpsApplication took the name): not a
                    // changed application but a removed one and a new one. Nothing carries over (status, approvals, the
                    // last good state), and its inventory is another owner's (OwnershipPolicy.ForInventory).
                    var successor = new ApplicationRuntime(new Reconciler(accepted.Definition, _services, GateOf(name)), accepted.Source, firstTrigger: ReconcileTrigger.ApplicationChanged);
                    ordered.Add(successor);
                    effects.Add(existing.Stop);
                    Log.ApplicationRemoved(_logger, name, existing.Source);
                    events.Add(new ApplicationRemoved { Application = name, Timestamp = now, Source = existing.Source });
                    Log.ApplicationAdded(_logger, name, accepted.Source);
                    events.Add(new ApplicationAdded { Application = name, Timestamp = now, Source = accepted.Source });
                    effects.Add(() => StartLoop(successor));
                    continue;
                }

                // A changed definition gets a new reconciler (the definition is read once); the status carries on, and a
                // suspend made at run time stays unless the definition itself changed its Suspended setting.
                var suspended = existing.Definition.Suspended != accepted.Definition.Suspended ? accepted.Definition.Suspended : existing.Suspended;
                var replacement = new ApplicationRuntime(new Reconciler(accepted.Definition, _services.ForTarget(accepted.Definition.Target), GateOf(name), existing.Reconciler), accepted.Source, suspended, ReconcileTrigger.ApplicationChanged);
                replacement.Reconciler.UpdateStatus(st => st with { Suspended = suspended });
                ordered.Add(replacement);
                effects.Add(existing.Stop);
                Log.ApplicationChanged(_logger, name, accepted.Source);
                events.Add(new ApplicationChanged { Application = name, Timestamp = now, Source = accepted.Source });
                effects.Add(() => StartLoop(replacement));
            }

            var kept = ordered.Select(static a => a.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var removed in set.Ordered.Where(a => !kept.Contains(a.Name)))
            {
                effects.Add(removed.Stop);
                Log.ApplicationRemoved(_logger, removed.Name, removed.Source);
                events.Add(new ApplicationRemoved { Application = removed.Name, Timestamp = now, Source = removed.Source });
            }

            // The set is swapped before any loop starts or stops, so a failure below never leaves a loop outside it.
            Volatile.Write(ref _set, new ApplicationSet(ordered.ToImmutable()));
            foreach (var effect in effects)
            {
                effect();
            }

            // Applications that wait for a removed one say so at once (it is an unknown application now).
            foreach (var removed in set.Ordered.Where(a => !kept.Contains(a.Name)))
            {
                WakeDependents(removed);
            }
        }

        foreach (var e in events)
        {
            _services.Events.Publish(e);
        }
    }

    /// <summary>A source's change token fired (on its thread): apply the change; a failure is logged, never thrown into the source.</summary>
    private void RefreshAfterChange()
    {
        try
        {
            Refresh(startup: false);
        }
#pragma warning disable CA1031 // The source's thread (a file watcher, the caller of InMemoryApplicationSource.Set) must not get the engine's exception.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ApplicationRefreshFailed(_logger, ex, ex.Message);
        }
    }

    /// <summary>
    /// Starts a runtime's loop after the name's previous loop (of a changed, or of a removed and re-added, application),
    /// which may still be ending.
    /// </summary>
    private void StartLoop(ApplicationRuntime runtime)
    {
        if (_startLoop is { } start)
        {
            runtime.Loop = start(runtime, _lastLoops.GetValueOrDefault(runtime.Name, Task.CompletedTask));
            _lastLoops[runtime.Name] = runtime.Loop;
        }
    }

    /// <summary>The run lock of an application name, shared by every reconciler the name gets while the host runs.</summary>
    private SemaphoreSlim GateOf(string name)
    {
        if (!_gates.TryGetValue(name, out var gate))
        {
            _gates[name] = gate = new SemaphoreSlim(1, 1);
        }

        return gate;
    }

    /// <summary>What is wrong with a definition: its name, its settings, and (after start-up) the parts it needs.</summary>
    private List<string> Validate(ApplicationDefinition definition, bool startup)
    {
        var failures = new List<string>(ApplicationDefinitionReader.Validate(definition));
        var label = string.IsNullOrEmpty(definition.Name) ? "(no name)" : $"'{definition.Name}'";
        if (!startup && _services.FindMissing() is { Count: > 0 } missing)
        {
            failures.Add($"GitOps application {label}: these parts are not registered: {string.Join(", ", missing)}.");
        }

        return failures;
    }

    private void Report(ApplicationCatalog.Resolution resolution, DateTimeOffset now, List<ReconcileEvent> events)
    {
        var current = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (source, message) in resolution.SourceErrors)
        {
            if (current.Add($"source\n{source}\n{message}") && !_reported.Contains($"source\n{source}\n{message}"))
            {
                Log.ApplicationSourceFailed(_logger, source, message);
            }
        }

        foreach (var refusal in resolution.Refused)
        {
            var key = $"{refusal.Source}\n{refusal.Application}\n{refusal.KeptPrevious}\n{string.Join('\n', refusal.Reasons)}";
            if (!current.Add(key) || _reported.Contains(key))
            {
                continue;
            }

            var reasons = string.Join("; ", refusal.Reasons.Select(static r => r.TrimEnd('.'))) + ".";
            var kept = refusal.KeptPrevious ? " It keeps running with its previous definition." : " It does not run.";
            Log.ApplicationRefused(_logger, refusal.Application, refusal.Source, reasons, kept);
            events.Add(new ApplicationRefused
            {
                Application = refusal.Application,
                Timestamp = now,
                Source = refusal.Source,
                Reasons = refusal.Reasons,
                OtherSource = refusal.OtherSource,
                KeptPrevious = refusal.KeptPrevious,
            });
        }

        _reported.Clear();
        _reported.UnionWith(current);
    }

    /// <summary>The applications that run, swapped as a whole so that readers never lock.</summary>
    private sealed class ApplicationSet
    {
        public ApplicationSet(ImmutableArray<ApplicationRuntime> ordered)
        {
            Ordered = ordered;
            ByName = ordered.ToImmutableDictionary(static a => a.Name, StringComparer.Ordinal);
        }

        public static ApplicationSet Empty { get; } = new([]);

        public ImmutableArray<ApplicationRuntime> Ordered { get; }

        public ImmutableDictionary<string, ApplicationRuntime> ByName { get; }
    }
}
