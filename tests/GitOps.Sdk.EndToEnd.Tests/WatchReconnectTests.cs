using GitOps.Sdk.Status;
using GitOps.Sdk.Testing;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>
/// Every watch drops and keeps dropping (issue 14, item 8): the live cache must not go blind. The real KubernetesClient
/// informers re-list after a broken watch, so an edit made while no watch delivers events is still seen and corrected.
/// </summary>
public sealed class WatchReconnectTests
{
    [Fact]
    public async Task AllWatchesDropped_EditMeanwhile_CacheRelistsAndDriftIsCorrected()
    {
        await using var env = await EndToEndEnvironment.CreateAsync();
        await env.StartAsync();
        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Applied, env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);

        // From now on every watch is accepted and closed at once, without events; lists still work.
        var drop = env.Api.Faults.Add(new FaultRule { Verb = "watch", DropWatch = true });
        env.Api.DropWatches();
        await EndToEndEnvironment.WaitUntilAsync(() => drop.Hits > 0, "a client tried to watch again and was dropped");

        await env.Api.MutateAsync("v1", "ConfigMap", "demo", "web-settings", o => o["data"]!["GREETING"] = "edited while blind", manager: "kubectl-edit");

        await EndToEndEnvironment.WaitUntilAsync(() => env.ConfigValue() == "Hello from Git" && env.Completed.Count >= 2, "the edit made while every watch was dropping was corrected");
        env.Completed[^1].Trigger.Should().Be(ReconcileTrigger.LiveChange, "the interval is an hour: only the re-listed cache can have seen the edit");
        drop.Hits.Should().BeGreaterThan(1, "the watches were still dropping when the edit was corrected");
    }
}
