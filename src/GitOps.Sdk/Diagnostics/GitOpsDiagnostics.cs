using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace GitOps.Sdk.Diagnostics;

/// <summary>
/// The engine's telemetry: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named <c>GitOps.Sdk</c>.
/// Instruments: <c>gitops.reconcile.duration</c> (histogram, seconds), <c>gitops.drift.count</c>,
/// <c>gitops.apply.objects</c> and <c>gitops.errors</c> (counters); tags <c>gitops.application</c>,
/// <c>gitops.outcome</c>, <c>gitops.stage</c>.
/// </summary>
public static class GitOpsDiagnostics
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "GitOps.Sdk";

    /// <summary>Gets the activity source; every reconcile is a span <c>gitops.reconcile</c> with a child span per stage.</summary>
    public static ActivitySource ActivitySource { get; } = new(Name, typeof(GitOpsDiagnostics).Assembly.GetName().Version?.ToString());

    /// <summary>Gets the meter.</summary>
    public static Meter Meter { get; } = new(Name, typeof(GitOpsDiagnostics).Assembly.GetName().Version?.ToString());

    internal static Histogram<double> ReconcileDuration { get; } =
        Meter.CreateHistogram<double>("gitops.reconcile.duration", unit: "s", description: "Duration of one reconcile of one application.");

    internal static Counter<long> DriftCount { get; } =
        Meter.CreateCounter<long>("gitops.drift.count", unit: "{object}", description: "Objects found drifted from desired state.");

    internal static Counter<long> AppliedObjects { get; } =
        Meter.CreateCounter<long>("gitops.apply.objects", unit: "{object}", description: "Objects written or deleted, by outcome.");

    internal static Counter<long> Errors { get; } =
        Meter.CreateCounter<long>("gitops.errors", unit: "{error}", description: "Failed reconciles, by stage.");
}
