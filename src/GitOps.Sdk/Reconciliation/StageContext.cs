using System.Diagnostics;
using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Reconciliation;

/// <summary>What every stage of one application's pipeline shares: its definition, the engine's parts, the logger and the clock.</summary>
internal sealed class StageContext(ApplicationDefinition definition, ReconcilerServices services, ILogger logger)
{
    public ApplicationDefinition Definition { get; } = definition;

    public string Application => Definition.Name;

    public ReconcilerServices Services { get; } = services;

    public ILogger Logger { get; } = logger;

    public TimeProvider Time => Services.Time;

    public DateTimeOffset Now => Services.Time.GetUtcNow();

    public void Publish(ReconcileEvent e) => Services.Events.Publish(e);

    public Activity? StartActivity(string name) => Services.Metrics.Telemetry.ActivitySource.StartActivity(name);

    /// <summary>Returns the tags of an engine measurement: the application, the target when it is a named one, and <paramref name="extra"/>.</summary>
    /// <param name="extra">A further tag, or <see langword="null"/>.</param>
    /// <returns>The tags.</returns>
    public TagList MetricTags(KeyValuePair<string, object?>? extra = null) => EngineMetrics.Tags(Application, Services.Target, extra);
}
