using System.Collections.Immutable;
using System.Text.Json;
using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Events;
using GitOps.Sdk.Reconciliation;

namespace GitOps.Sdk.Hooks;

/// <summary>
/// Runs the sync hooks of one phase (or of one wave of a phase) for one reconcile: creates each hook object (deleting
/// this application's previous one first under BeforeHookCreation), waits until it succeeded or failed (a Job Complete
/// or Failed, a Pod Succeeded or Failed, any other kind healthy) up to <see cref="Hosting.ApplicationDefinition.HookTimeout"/>,
/// then deletes it when its delete policy says so. Waves of a phase run one after another; a failed wave ends the phase.
/// </summary>
/// <remarks>
/// Safety: a live object of a hook's name that does not carry this application's ownership label (and tracking id) is
/// neither deleted nor written over: the hook fails, naming it. Hooks never enter the inventory and are never pruned.
/// </remarks>
internal sealed class HookRunner(StageContext context, HookSet hooks, string? revision)
{
    /// <summary>Gets a value indicating whether the run has any hook of <paramref name="phase"/>.</summary>
    public bool Has(SyncHookPhase phase) => hooks.Has(phase);

    /// <summary>Gets the waves that have hooks of <paramref name="phase"/>.</summary>
    public IReadOnlyCollection<int> WavesOf(SyncHookPhase phase) => [.. hooks.Of(phase).Select(static h => h.Wave).Distinct()];

    /// <summary>Gets the namespaces the hooks of <paramref name="phase"/> are created in.</summary>
    public IReadOnlySet<string> NamespacesOf(SyncHookPhase phase) =>
        hooks.Of(phase).Select(static h => h.Key.Namespace).Where(static ns => ns.Length > 0).ToHashSet(StringComparer.Ordinal);

    /// <summary>Runs the hooks of <paramref name="phase"/> (of <paramref name="wave"/> only, when given), wave by wave.</summary>
    /// <returns>Why the phase failed (naming each failed hook), or <see langword="null"/> when every hook succeeded.</returns>
    public async ValueTask<string?> RunAsync(SyncHookPhase phase, int? wave, CancellationToken cancellationToken)
    {
        foreach (var group in hooks.Of(phase).Where(h => wave is null || h.Wave == wave).GroupBy(static h => h.Wave))
        {
            var failure = await RunWaveAsync(phase, [.. group], cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                return failure;
            }
        }

        return null;
    }

    /// <summary>Runs the SyncFail hooks of a failed sync; returns <paramref name="failure"/> with what they did added.</summary>
    public async ValueTask<string> RunSyncFailAsync(string failure, CancellationToken cancellationToken)
    {
        if (!Has(SyncHookPhase.SyncFail))
        {
            return failure;
        }

        var syncFail = await RunAsync(SyncHookPhase.SyncFail, null, cancellationToken).ConfigureAwait(false);
        return syncFail is null ? $"{failure}; SyncFail hooks ran" : $"{failure}; {syncFail}";
    }

    private async ValueTask<string?> RunWaveAsync(SyncHookPhase phase, ImmutableArray<SyncHook> wave, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var failed = new HashSet<ResourceKey>();
        var started = new List<(SyncHook Hook, string? Uid)>();
        foreach (var hook in wave)
        {
            var (uid, error) = await CreateAsync(phase, hook, cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                failed.Add(hook.Key);
                failures.Add(Finish(phase, hook, false, error));
                break;
            }

            started.Add((hook, uid));
        }

        var live = new Dictionary<ResourceKey, KubeObject>();
        var pending = started;
        var time = context.Time;
        var timeout = context.Definition.HookTimeout;
        var deadline = time.GetUtcNow() + timeout;
        while (pending.Count > 0)
        {
            var read = await context.Services.LiveState.GetManyAsync([.. pending.Select(static p => (p.Hook.Key, p.Hook.Object.ApiVersion))], cancellationToken).ConfigureAwait(false);
            var still = new List<(SyncHook Hook, string? Uid)>();
            foreach (var (hook, uid) in pending)
            {
                var current = read.GetValueOrDefault(hook.Key);
                if (current is not null && uid is not null && !string.Equals(Uid(current), uid, StringComparison.Ordinal))
                {
                    // The previous object (deleted before creation) is still what the cache holds.
                    current = null;
                }

                var health = current is null
                    ? new HealthResult(HealthStatus.Missing, "the hook object does not exist (yet)")
                    : context.Services.Health.Assess(current);
                if (current is not null)
                {
                    live[hook.Key] = current;
                }

                if (health.Status == HealthStatus.Healthy)
                {
                    Finish(phase, hook, true, health.Message ?? "succeeded");
                }
                else if (health.Status == HealthStatus.Degraded)
                {
                    failed.Add(hook.Key);
                    failures.Add(Finish(phase, hook, false, health.Message ?? "failed"));
                }
                else if (time.GetUtcNow() >= deadline)
                {
                    failed.Add(hook.Key);
                    failures.Add(Finish(phase, hook, false, $"did not finish within {timeout} (HookTimeout): {health.Status}: {health.Message}"));
                }
                else
                {
                    still.Add((hook, uid));
                }
            }

            pending = still;
            if (pending.Count > 0)
            {
                await Task.Delay(context.Services.Options.HealthPollInterval, time, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var (hook, _) in started)
        {
            await DeleteByPolicyAsync(hook, live.GetValueOrDefault(hook.Key), failed.Contains(hook.Key), cancellationToken).ConfigureAwait(false);
        }

        return failures.Count == 0 ? null : string.Join("; ", failures);
    }

    /// <summary>Creates the hook object; returns its uid, or why it could not be created.</summary>
    private async ValueTask<(string? Uid, string? Error)> CreateAsync(SyncHookPhase phase, SyncHook hook, CancellationToken cancellationToken)
    {
        var app = context.Definition;
        var writer = context.Services.Writer;
        var key = hook.Key;
        var live = await context.Services.LiveState.GetAsync(key, hook.Object.ApiVersion, cancellationToken).ConfigureAwait(false);
        if (live is not null)
        {
            if (NotOwnedReason(live, hook.Object) is { } notOwned)
            {
                return (null, notOwned);
            }

            if (hook.DeletePolicies.HasFlag(HookDeletePolicies.BeforeHookCreation))
            {
                var deleted = await writer.DeleteAsync(
                    new DeleteRequest { Target = live, Application = app.Name, WaitUntilGone = true, PropagationPolicy = "Background" },
                    cancellationToken).ConfigureAwait(false);
                if (deleted.Outcome is not (ApplyOutcome.Deleted or ApplyOutcome.Unchanged))
                {
                    return (null, $"the previous hook object could not be deleted (BeforeHookCreation): {deleted.Message}");
                }

                Log.HookDeleted(context.Logger, app.Name, key, nameof(HookDeletePolicies.BeforeHookCreation));
                live = null;
            }
        }

        var applied = await writer.ApplyAsync(
            new ApplyRequest { Desired = hook.Object, Live = live, Application = app.Name, FieldManager = context.Services.Options.FieldManager, Force = app.ForceConflicts },
            cancellationToken).ConfigureAwait(false);
        if (applied.Outcome == ApplyOutcome.Failed)
        {
            return (null, $"not created: {applied.Message}");
        }

        Log.HookCreated(context.Logger, app.Name, phase.ToString(), key, hook.Wave);
        return (applied.Result is { } result ? Uid(result) : null, null);
    }

    /// <summary>Why a live object of the hook's name must not be touched, or <see langword="null"/> when it is this application's hook.</summary>
    private string? NotOwnedReason(KubeObject live, KubeObject desired)
    {
        var app = context.Definition.Name;
        var owner = live.GetLabel(WellKnown.ApplicationLabel);
        if (!string.Equals(owner, app, StringComparison.Ordinal))
        {
            return $"not created: a live object of that name is not owned by application '{app}' (label {WellKnown.ApplicationLabel}={owner ?? "(none)"}); it is neither deleted nor written over";
        }

        var expected = desired.GetAnnotation(WellKnown.TrackingIdAnnotation);
        if (expected is not null && !string.Equals(live.GetAnnotation(WellKnown.TrackingIdAnnotation), expected, StringComparison.Ordinal))
        {
            return $"not created: the live object of that name carries the label of application '{app}' but not its tracking id {WellKnown.TrackingIdAnnotation}={expected}; it is neither deleted nor written over";
        }

        return null;
    }

    private async ValueTask DeleteByPolicyAsync(SyncHook hook, KubeObject? live, bool failed, CancellationToken cancellationToken)
    {
        var policy = failed ? HookDeletePolicies.HookFailed : HookDeletePolicies.HookSucceeded;
        if (live is null || !hook.DeletePolicies.HasFlag(policy))
        {
            return;
        }

        var app = context.Definition.Name;
        var deleted = await context.Services.Writer.DeleteAsync(
            new DeleteRequest { Target = live, Application = app, PropagationPolicy = "Background" },
            cancellationToken).ConfigureAwait(false);
        if (deleted.Outcome == ApplyOutcome.Failed)
        {
            Log.HookDeleteFailed(context.Logger, app, hook.Key, policy.ToString(), deleted.Message ?? "failed");
        }
        else
        {
            Log.HookDeleted(context.Logger, app, hook.Key, policy.ToString());
        }
    }

    /// <summary>Logs and publishes a finished hook; returns the failure text for the run's message.</summary>
    private string Finish(SyncHookPhase phase, SyncHook hook, bool succeeded, string message)
    {
        var app = context.Definition.Name;
        if (succeeded)
        {
            Log.HookSucceeded(context.Logger, app, phase.ToString(), hook.Key, message);
        }
        else
        {
            Log.HookFailed(context.Logger, app, phase.ToString(), hook.Key, message);
        }

        context.Publish(new HookFinished { Application = app, Timestamp = context.Now, Revision = revision, Object = hook.Key, Phase = phase, Succeeded = succeeded, Message = message });
        var origin = hook.Object.Origin is { } o ? $" ({o})" : string.Empty;
        return $"{phase} hook {hook.Key}{origin} failed: {message}";
    }

    private static string? Uid(KubeObject obj) =>
        obj.Metadata.ValueKind == JsonValueKind.Object && obj.Metadata.TryGetProperty("uid", out var uid) && uid.ValueKind == JsonValueKind.String
            ? uid.GetString()
            : null;
}
