using System.Diagnostics.Metrics;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using GitOps.Sdk.Tests.Reconciliation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace GitOps.Sdk.Tests.Diagnostics;

public sealed class ApplicationInfoGaugeTests
{
    [Fact]
    public async Task ApplicationInfo_SyncedAndFailingApplication_ReportsOnePerApplicationWithSyncAndHealthTags()
    {
        // Two applications: "shop" has a commit, "shop1" names a repository that does not exist (its source fails).
        await using var h = PipelineHarness.Create(applications: 2, services: s => s.AddMetrics());
        h.Commit(("a.yaml", PipelineHarness.ConfigMap("a", "hello")));
        (await h.Controller.ReconcileAsync("shop", CancellationToken.None)).Outcome.Should().Be(ReconcileOutcome.Applied);
        (await h.Controller.ReconcileAsync("shop1", CancellationToken.None)).Outcome.Should().Be(ReconcileOutcome.Failed);
        using var collector = new MetricCollector<int>(h.Provider.GetRequiredService<IMeterFactory>(), GitOpsTelemetry.Name, "gitops.application.info");

        collector.RecordObservableInstruments();

        var byApplication = collector.GetMeasurementSnapshot().ToDictionary(static m => (string)m.Tags["gitops.application"]!);
        byApplication.Keys.Should().BeEquivalentTo(["shop", "shop1"]);
        byApplication["shop"].Value.Should().Be(1);
        byApplication["shop"].Tags.Should().Contain("gitops.sync_status", "Synced").And.Contain("gitops.health_status", "Healthy");
        byApplication["shop1"].Value.Should().Be(1);
        byApplication["shop1"].Tags.Should().Contain("gitops.sync_status", "Failed").And.Contain("gitops.health_status", "Unknown");
    }

    [Fact]
    public async Task ApplicationInfo_DetectOnlyApplicationWithMissingObject_ReportsOutOfSyncAtTheNextCollection()
    {
        await using var h = PipelineHarness.Create(app: a => a with { Mode = ReconcileMode.DetectOnly }, services: s => s.AddMetrics());
        using var collector = new MetricCollector<int>(h.Provider.GetRequiredService<IMeterFactory>(), GitOpsTelemetry.Name, "gitops.application.info");
        collector.RecordObservableInstruments();
        collector.LastMeasurement!.Tags.Should().Contain("gitops.sync_status", "Unknown");
        h.Commit(("a.yaml", PipelineHarness.ConfigMap("a", "hello")));
        (await h.Controller.ReconcileAsync("shop", CancellationToken.None)).Outcome.Should().Be(ReconcileOutcome.OutOfSync);

        collector.RecordObservableInstruments();

        collector.LastMeasurement!.Tags.Should().Contain("gitops.application", "shop").And.Contain("gitops.sync_status", "OutOfSync");
    }
}
