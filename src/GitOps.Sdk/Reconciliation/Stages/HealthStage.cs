using GitOps.Sdk.Status;
using System.Collections.Immutable;
using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Health;

namespace GitOps.Sdk.Reconciliation;

/// <summary>The health stage's input.</summary>
/// <param name="Desired">The desired state.</param>
/// <param name="Plan">The plan (objects it refused for ownership are not this application's: their health is not assessed).</param>
/// <param name="Live">The live objects to assess, or <see langword="null"/> to read back what was written.</param>
/// <param name="Wait">Wait (up to the application's health timeout) until healthy.</param>
/// <param name="Written">What the apply wrote: the objects the server returned stand in for live reads that lag behind them.</param>
/// <param name="Purpose">Why the stage waits, for the log line a wait starts with (<c>before the PostSync hooks</c>, <c>(WaitForHealth)</c>).</param>
internal sealed record HealthInput(DesiredState Desired, ApplyPlan? Plan, IReadOnlyDictionary<ResourceKey, KubeObject>? Live, bool Wait, ApplyResult? Written = null, string Purpose = "(WaitForHealth)");

/// <summary>Assesses the health of every desired object, reading back what was written and waiting for it when asked to.</summary>
internal sealed class HealthStage(StageContext context)
{
    public async ValueTask<StageResult<HealthReport>> RunAsync(HealthInput input, CancellationToken cancellationToken)
    {
        var report = Assess(input.Desired, input.Live ?? await ReadAsync(input.Desired, input.Written, cancellationToken).ConfigureAwait(false), input.Plan);
        if (!input.Wait || report.Overall.Status == HealthStatus.Healthy)
        {
            return report;
        }

        var app = context.Definition;
        var time = context.Time;
        var deadline = time.GetUtcNow() + app.HealthTimeout;
        var waiting = report.Objects
            .Where(static o => o.Value.Status != HealthStatus.Healthy && o.Value.Status != HealthStatus.Unknown)
            .Select(static o => (o.Key, o.Value))
            .ToList();
        Log.WaitingForHealth(
            context.Logger,
            context.Application,
            app.HealthTimeout,
            input.Purpose,
            waiting.Count == 0 ? $"{report.Overall.Status}: {report.Overall.Message}" : SyncWaveBarrier.Waiting(waiting));
        while (report.Overall.Status != HealthStatus.Healthy)
        {
            if (time.GetUtcNow() >= deadline)
            {
                return new StageResult<HealthReport>(
                    report,
                    StageFailure.At(ReconcileStage.Health, $"timed out after {app.HealthTimeout} waiting for health: {report.Overall.Status}: {report.Overall.Message}"));
            }

            await Task.Delay(context.Services.Options.HealthPollInterval, time, cancellationToken).ConfigureAwait(false);
            report = Assess(input.Desired, await ReadAsync(input.Desired, input.Written, cancellationToken).ConfigureAwait(false), input.Plan);
        }

        return report;
    }

    /// <summary>Assesses <paramref name="live"/> as it is (no reads).</summary>
    public HealthReport Assess(DesiredState desired, IReadOnlyDictionary<ResourceKey, KubeObject> live, ApplyPlan? plan)
    {
        // Someone else's object is not this application's: its health is neither assessed nor part of the application's.
        var notOwned = PlanRefusals.NotOwned(plan);
        var builder = ImmutableDictionary.CreateBuilder<ResourceKey, HealthResult>();
        foreach (var d in desired.Objects)
        {
            builder[d.Key] = notOwned.Contains(d.Key)
                ? new HealthResult(HealthStatus.Unknown, "not assessed: the object is not owned by this application")
                : context.Services.Health.Assess(live.GetValueOrDefault(d.Key));
        }

        var perObject = builder.ToImmutable();
        var worst = HealthAggregator.Worst(perObject.Where(p => !notOwned.Contains(p.Key)).Select(static p => (p.Key, p.Value)));
        var overall = notOwned.Count > 0 && worst.Status == HealthStatus.Healthy
            ? new HealthResult(HealthStatus.Unknown, $"{notOwned.Count} desired object(s) are not owned by this application; their health is not assessed")
            : worst;
        return new HealthReport(overall, perObject);
    }

    private async Task<IReadOnlyDictionary<ResourceKey, KubeObject>> ReadAsync(DesiredState desired, ApplyResult? written, CancellationToken cancellationToken)
    {
        var live = await context.Services.LiveState.GetManyAsync([.. desired.Objects.Select(static o => (o.Key, o.ApiVersion))], cancellationToken).ConfigureAwait(false);
        return written is null ? live : Overlay(live, written);
    }

    /// <summary>
    /// The live state may be read from a watch cache that has not yet seen the engine's own writes: an object just
    /// created would read as missing and one just updated as its old self. The object the server returned for a write
    /// stands in for a read that is missing or holds an older resourceVersion; a newer read (a controller updated the
    /// status since) wins.
    /// </summary>
    internal static IReadOnlyDictionary<ResourceKey, KubeObject> Overlay(IReadOnlyDictionary<ResourceKey, KubeObject> live, ApplyResult written)
    {
        Dictionary<ResourceKey, KubeObject>? merged = null;
        foreach (var w in written.Objects)
        {
            if (w.Result is not { } result || w.Outcome is not (ApplyOutcome.Created or ApplyOutcome.Configured or ApplyOutcome.Unchanged))
            {
                continue;
            }

            if (live.TryGetValue(w.Key, out var read) && !IsOlder(read, result))
            {
                continue;
            }

            merged ??= new Dictionary<ResourceKey, KubeObject>(live);
            merged[w.Key] = result;
        }

        return merged ?? live;
    }

    // resourceVersions are opaque strings; every API server in use (etcd-backed) issues increasing integers, so two that
    // both parse compare as numbers. Anything else is not known to be older.
    private static bool IsOlder(KubeObject read, KubeObject written) =>
        ulong.TryParse(ResourceVersion(read), out var r) && ulong.TryParse(ResourceVersion(written), out var w) && r < w;

    private static string? ResourceVersion(KubeObject o) =>
        o.Metadata.ValueKind == System.Text.Json.JsonValueKind.Object && o.Metadata.TryGetProperty("resourceVersion", out var rv) && rv.ValueKind == System.Text.Json.JsonValueKind.String
            ? rv.GetString()
            : null;
}
