using GitOps.Sdk.Status;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static GitOps.Sdk.Tests.Reconciliation.PipelineHarness;

namespace GitOps.Sdk.Tests.Reconciliation;

/// <summary>Log lines read as sentences: a value that is absent is left out, never printed as "(null)".</summary>
public sealed class LogMessageTests
{
    [Fact]
    public async Task FirstSync_StepAndHealthLines_HaveNoNullPlaceholders()
    {
        var logs = new CapturingLoggerProvider();
        await using var h = Create(services: s => s.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));

        (await h.Controller.ReconcileAsync("shop", default)).Outcome.Should().Be(ReconcileOutcome.Applied);

        logs.Lines.Should().Contain(l => l.Contains("Information: shop: /ConfigMap/shop/a Created [", StringComparison.Ordinal), "a step without a message ends after its outcome");
        logs.Lines.Should().Contain(l => l.Contains("Information: Health of shop changed to Healthy [", StringComparison.Ordinal), "a health without a message ends after the health");
        logs.Lines.Select(l => l[..l.IndexOf(" [", StringComparison.Ordinal)]).Should().NotContain(l => l.Contains("(null)", StringComparison.Ordinal));
    }
}
