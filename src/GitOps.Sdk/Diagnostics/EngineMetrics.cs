using System.Diagnostics;
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

    /// <summary>Returns an engine measurement's tags: the application, <c>gitops.target</c> for a named target only (the default target's series keep their names), and <paramref name="extra"/>.</summary>
    /// <param name="application">The application.</param>
    /// <param name="target">The named target, or <see langword="null"/> for the default one.</param>
    /// <param name="extra">A further tag, or <see langword="null"/>.</param>
    /// <returns>The tags.</returns>
    public static TagList Tags(string application, string? target, KeyValuePair<string, object?>? extra = null)
    {
        var tags = new TagList { { "gitops.application", application } };
        if (!string.IsNullOrEmpty(target))
        {
            tags.Add("gitops.target", target);
        }

        if (extra is { } e)
        {
            tags.Add(e);
        }

        return tags;
    }

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
            var tags = Tags(s.Name, controller.GetDefinition(s.Name)?.Target, new("gitops.sync_status", s.Sync.ToString()));
            tags.Add("gitops.health_status", (s.Health?.Status ?? HealthStatus.Unknown).ToString());
            measurements[i] = new Measurement<int>(1, in tags);
        }

        return measurements;
    }
}
