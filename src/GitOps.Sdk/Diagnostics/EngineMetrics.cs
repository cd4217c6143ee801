using System.Diagnostics.Metrics;
using GitOps.Sdk.Hosting;

namespace GitOps.Sdk.Diagnostics;

/// <summary>The engine's instruments, all on the one <see cref="GitOpsTelemetry.Meter"/>.</summary>
internal sealed class EngineMetrics
{
    // Weak: GitOpsTelemetry.Shared's meter outlives the containers whose controllers it would otherwise keep alive.
    private volatile WeakReference<IGitOpsController>? _applications;

    public EngineMetrics(GitOpsTelemetry telemetry)
    {
        Telemetry = telemetry;
        ReconcileDuration = telemetry.Meter.CreateHistogram<double>("gitops.reconcile.duration", unit: "s", description: "Duration of one reconcile of one application.");
        DriftCount = telemetry.Meter.CreateCounter<long>("gitops.drift.count", unit: "{object}", description: "Objects found drifted from desired state.");
        AppliedObjects = telemetry.Meter.CreateCounter<long>("gitops.apply.objects", unit: "{object}", description: "Objects written or deleted, by outcome.");
        Errors = telemetry.Meter.CreateCounter<long>("gitops.errors", unit: "{error}", description: "Failed reconciles, by stage.");
        ApplicationInfo = telemetry.Meter.CreateObservableGauge(
            "gitops.application.info",
            ObserveApplications,
            unit: "{application}",
            description: "1 per application, tagged with its sync status and health status.");
    }

    public GitOpsTelemetry Telemetry { get; }

    public Histogram<double> ReconcileDuration { get; }

    public Counter<long> DriftCount { get; }

    public Counter<long> AppliedObjects { get; }

    public Counter<long> Errors { get; }

    /// <summary>Gets the gauge that reports, when collected, one measurement per application of the observed controller.</summary>
    public ObservableGauge<int> ApplicationInfo { get; }

    /// <summary>Makes <see cref="ApplicationInfo"/> report the applications of <paramref name="controller"/>.</summary>
    /// <param name="controller">The controller.</param>
    /// <returns>The controller.</returns>
    public T ObserveApplications<T>(T controller)
        where T : IGitOpsController
    {
        _applications = new WeakReference<IGitOpsController>(controller);
        return controller;
    }

    // Runs on the collecting thread: GetAll() reads each reconciler's current immutable status without a lock, so a
    // scrape never waits for the scheduler, the concurrency limit or a running reconcile.
    private IEnumerable<Measurement<int>> ObserveApplications()
    {
        if (_applications is not { } reference || !reference.TryGetTarget(out var controller))
        {
            return [];
        }

        var statuses = controller.GetAll();
        var measurements = new Measurement<int>[statuses.Count];
        for (var i = 0; i < statuses.Count; i++)
        {
            var s = statuses[i];
            measurements[i] = new Measurement<int>(
                1,
                new KeyValuePair<string, object?>("gitops.application", s.Name),
                new KeyValuePair<string, object?>("gitops.target", controller.GetDefinition(s.Name)?.Target ?? string.Empty),
                new KeyValuePair<string, object?>("gitops.sync_status", s.Sync.ToString()),
                new KeyValuePair<string, object?>("gitops.health_status", (s.Health?.Status ?? HealthStatus.Unknown).ToString()));
        }

        return measurements;
    }
}
