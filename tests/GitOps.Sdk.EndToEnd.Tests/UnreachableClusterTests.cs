using GitOps.Sdk.Events;
using GitOps.Sdk.Status;
using GitOps.Sdk.Testing;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>
/// A cluster that stops answering must not look in sync: with its watches failing, the engine knows no more about
/// changes, so an interval reconcile is not skipped and reads go to the server, which fails them.
/// </summary>
public sealed class UnreachableClusterTests
{
    [Fact]
    public async Task ClusterStopsAnswering_IntervalReconcilesFailInsteadOfSkipping()
    {
        await using var env = await EndToEndEnvironment.CreateAsync(app => app with
        {
            Interval = TimeSpan.FromMilliseconds(500),
            MinRetryDelay = TimeSpan.FromMilliseconds(500),
            MaxRetryDelay = TimeSpan.FromSeconds(1),
        });
        await env.StartAsync();
        await EndToEndEnvironment.WaitUntilAsync(() => env.Completed.Any(c => c.Outcome == ReconcileOutcome.Skipped), "an interval reconcile with nothing changed was skipped");

        // Every request now fails, and the open watches are cut (as when the API server goes away).
        env.Api.Faults.Add(new FaultRule { StatusCode = 503, Message = "the API server is down" });
        env.Api.DropWatches();

        await EndToEndEnvironment.WaitUntilAsync(
            () => env.EventsOf<ReconcileFailed>().Any(),
            "a reconcile failed while the cluster does not answer (not Skipped as if in sync)");
        env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError.Should().Contain("503");
    }
}
