using System.Diagnostics.Metrics;

namespace GitOps.Sdk.Diagnostics;

/// <summary>The engine's instruments, all on the one <see cref="GitOpsTelemetry.Meter"/>.</summary>
internal sealed class EngineMetrics(GitOpsTelemetry telemetry)
{
    public GitOpsTelemetry Telemetry { get; } = telemetry;

    public Histogram<double> ReconcileDuration { get; } =
        telemetry.Meter.CreateHistogram<double>("gitops.reconcile.duration", unit: "s", description: "Duration of one reconcile of one application.");

    public Counter<long> DriftCount { get; } =
        telemetry.Meter.CreateCounter<long>("gitops.drift.count", unit: "{object}", description: "Objects found drifted from desired state.");

    public Counter<long> AppliedObjects { get; } =
        telemetry.Meter.CreateCounter<long>("gitops.apply.objects", unit: "{object}", description: "Objects written or deleted, by outcome.");

    public Counter<long> Errors { get; } =
        telemetry.Meter.CreateCounter<long>("gitops.errors", unit: "{error}", description: "Failed reconciles, by stage.");
}
