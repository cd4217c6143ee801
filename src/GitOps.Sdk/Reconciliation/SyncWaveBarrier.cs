using System.Text;
using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Execution;
using GitOps.Sdk.Health;
using GitOps.Sdk.Hooks;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Reconciliation;

/// <summary>
/// What runs before and between the waves of a sync: first the PreSync hooks (after the namespaces they need, see
/// <see cref="First"/>), and after each wave the wave's Sync hooks, then, with <see cref="Hosting.ApplicationDefinition.WaveHealthGate"/>,
/// a wait until every object of the wave is healthy before a later wave with something to write starts. A failure stops
/// the rest of the plan and is kept in <see cref="Failure"/> (reason <c>HookFailed</c> or <c>WaveNotHealthy</c>).
/// </summary>
internal sealed class SyncWaveBarrier(StageContext context, ApplyPlan plan, HookRunner hooks) : WaveBarrier
{
    /// <summary>The Ready reason of a wave that did not become healthy in time.</summary>
    public const string WaveNotHealthyReason = "WaveNotHealthy";

    /// <summary>The Ready reason of a failed sync hook.</summary>
    public const string HookFailedReason = "HookFailed";

    /// <summary>Gets why the sync stopped before or between waves, or <see langword="null"/>.</summary>
    public StageFailure? Failure { get; private set; }

    public override IReadOnlyCollection<int> ExtraWaves => hooks.WavesOf(SyncHookPhase.Sync);

    /// <summary>Gets a value indicating whether the barrier has anything to do.</summary>
    public bool IsNeeded => context.Definition.WaveHealthGate || hooks.Has(SyncHookPhase.Sync) || hooks.Has(SyncHookPhase.PreSync);

    /// <summary>
    /// Gets the Namespaces PreSync hooks are created in that the plan creates (with CreateNamespace, or declared in the
    /// source): they are created first, as Argo CD's CreateNamespace does; nothing else is applied before the PreSync hooks.
    /// </summary>
    public override IReadOnlySet<ResourceKey> First { get; } = NamespacesFor(plan, hooks.NamespacesOf(SyncHookPhase.PreSync));

    /// <summary>Runs the PreSync hooks, after the namespaces they need (<see cref="First"/>) were created.</summary>
    public override async ValueTask<string?> BeforeSyncAsync(Func<ResourceKey, ObjectApplyResult?> resultOf, CancellationToken cancellationToken)
    {
        if (!hooks.Has(SyncHookPhase.PreSync) || await hooks.RunAsync(SyncHookPhase.PreSync, null, cancellationToken).ConfigureAwait(false) is not { } failure)
        {
            return null;
        }

        var created = First.Where(k => resultOf(k)?.Outcome == ApplyOutcome.Created).Select(static k => k.Name).Order(StringComparer.Ordinal).ToList();
        var rest = created.Count == 0
            ? "nothing of the sync was applied"
            : $"nothing of the sync was applied but Namespace {string.Join(", ", created)}, created for the PreSync hooks";
        Failure = new StageFailure(ReconcileStage.Apply, HookFailedReason, $"{failure}; {rest}");
        return "a PreSync hook failed";
    }

    public override async ValueTask<string?> AfterWaveAsync(int wave, Func<ResourceKey, ObjectApplyResult?> resultOf, CancellationToken cancellationToken)
    {
        if (hooks.Has(SyncHookPhase.Sync) && await hooks.RunAsync(SyncHookPhase.Sync, wave, cancellationToken).ConfigureAwait(false) is { } hookFailure)
        {
            Failure = new StageFailure(ReconcileStage.Apply, HookFailedReason, hookFailure);
            return $"a Sync hook of wave {wave} failed";
        }

        if (!context.Definition.WaveHealthGate || NextWave(wave) is not { } next)
        {
            return null;
        }

        var steps = plan.Steps.Where(s => s.Wave == wave && s.Desired is not null && s.Action is PlanAction.Apply or PlanAction.Recreate or PlanAction.None).ToList();
        var time = context.Time;
        var timeout = context.Definition.WaveHealthTimeout;
        var deadline = time.GetUtcNow() + timeout;
        var first = true;
        while (true)
        {
            // As after the apply: what the server returned for this sync's writes stands in for a read that lags behind it.
            var read = await context.Services.LiveState.GetManyAsync([.. steps.Select(static s => (s.Key, s.Desired!.ApiVersion))], cancellationToken).ConfigureAwait(false);
            var live = HealthStage.Overlay(read, new ApplyResult { Objects = [.. steps.Select(s => resultOf(s.Key)).OfType<ObjectApplyResult>()] });
            var unhealthy = new List<(ResourceKey Key, HealthResult Health)>();
            foreach (var step in steps)
            {
                var health = context.Services.Health.Assess(live.GetValueOrDefault(step.Key));
                if (health.Status != HealthStatus.Healthy)
                {
                    unhealthy.Add((step.Key, health));
                }
            }

            if (unhealthy.Count == 0)
            {
                return null;
            }

            if (first)
            {
                // A wait starts: say what for and how long at most (nothing is logged when the wave is healthy at once).
                first = false;
                Log.WaitingForWave(context.Logger, context.Application, timeout, wave, next, Waiting(unhealthy));
            }

            if (time.GetUtcNow() >= deadline)
            {
                var message = new StringBuilder()
                    .Append("wave ").Append(wave).Append(" did not become healthy within ").Append(timeout)
                    .Append(" (WaveHealthTimeout); wave ").Append(next).Append(" and later were not applied, nothing was pruned: ")
                    .AppendJoin("; ", unhealthy.Select(static u => $"{Describe(u.Key)}: {u.Health.Status}: {u.Health.Message}"))
                    .ToString();
                Log.WaveNotHealthy(context.Logger, context.Application, message);
                Failure = new StageFailure(ReconcileStage.Apply, WaveNotHealthyReason, message);
                return $"wave {wave} did not become healthy within {timeout} (WaveHealthTimeout)";
            }

            await Task.Delay(context.Services.Options.HealthPollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static HashSet<ResourceKey> NamespacesFor(ApplyPlan plan, IReadOnlySet<string> namespaces) =>
        [.. plan.Steps
            .Where(s => s.Action == PlanAction.Apply && s.Live is null && s.Key.Group.Length == 0 && s.Key.Kind == "Namespace" && namespaces.Contains(s.Key.Name))
            .Select(static s => s.Key)];

    /// <summary>Names the objects a wait is for with their health (the first five, then how many more).</summary>
    public static string Waiting(IReadOnlyCollection<(ResourceKey Key, HealthResult Health)> unhealthy)
    {
        const int Shown = 5;
        var text = string.Join("; ", unhealthy.Take(Shown).Select(static u => $"{Describe(u.Key)}: {u.Health.Status}{(u.Health.Message is { } m ? $": {m}" : string.Empty)}"));
        return unhealthy.Count > Shown ? $"{text}; and {unhealthy.Count - Shown} more" : text;
    }

    /// <summary>Names an object as <c>Kind[.group] namespace/name</c>.</summary>
    public static string Describe(ResourceKey key) =>
        $"{key.GroupKind} {(key.Namespace.Length == 0 ? key.Name : $"{key.Namespace}/{key.Name}")}";

    /// <summary>The first later wave that writes something (an apply or a Sync hook), or <see langword="null"/>.</summary>
    private int? NextWave(int wave)
    {
        int? next = null;
        foreach (var s in plan.Steps)
        {
            if (s.Action is PlanAction.Apply or PlanAction.Recreate && s.Wave > wave && (next is null || s.Wave < next))
            {
                next = s.Wave;
            }
        }

        foreach (var w in hooks.WavesOf(SyncHookPhase.Sync))
        {
            if (w > wave && (next is null || w < next))
            {
                next = w;
            }
        }

        return next;
    }
}
