using System.Diagnostics.Metrics;

namespace GitOps.Samples.WebHost.Tests;

public sealed class PrometheusMetricsTests
{
    [Fact]
    public void Render_ObservableGaugeWhoseTagsChanged_ShowsOnlyTheCurrentSeries()
    {
        var meterName = $"test.{Guid.NewGuid():N}";
        using var meter = new Meter(meterName);
        var sync = "Synced";
        meter.CreateObservableGauge("gitops.application.info", () => new Measurement<int>(1, new KeyValuePair<string, object?>("gitops.sync_status", sync)));
        using var metrics = new PrometheusMetrics(meterName);
        metrics.Render().Should().Contain("gitops_application_info{gitops_sync_status=\"Synced\"} 1\n");

        sync = "Failed";
        var text = metrics.Render();

        text.Should().Contain("gitops_application_info{gitops_sync_status=\"Failed\"} 1\n").And.NotContain("Synced");
    }
}
