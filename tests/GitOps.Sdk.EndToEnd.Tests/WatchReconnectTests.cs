using GitOps.Sdk.Events;
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

    [Fact]
    public async Task WatchHistoryCompactedWhileReconnecting_410GoneRelists_EditMeanwhileIsCorrected()
    {
        await using var env = await EndToEndEnvironment.CreateAsync();
        await env.StartAsync();
        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Applied, env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);
        var lists = env.Api.Faults.Add(new FaultRule { Verb = "list", Resource = "configmaps" });

        // The ConfigMap watch is dropped; its next watch request is held on the server for a while. Meanwhile the object
        // is edited and the server forgets the history (an etcd compaction), so the held watch, which resumes from the
        // cache's resourceVersion, is answered 410 Gone: only a re-list after it can show the cache the edit.
        var held = env.Api.Faults.Add(new FaultRule { Verb = "watch", Resource = "configmaps", Delay = TimeSpan.FromSeconds(5), Times = 1 });
        env.Api.DropWatches();
        await EndToEndEnvironment.WaitUntilAsync(() => held.Hits == 1, "the ConfigMap cache asked to watch again");
        var listsBeforeGone = lists.Hits;
        await env.Api.MutateAsync("v1", "ConfigMap", "demo", "web-settings", o => o["data"]!["GREETING"] = "edited while reconnecting", manager: "kubectl-edit");
        env.Api.CompactWatchHistory();

        await EndToEndEnvironment.WaitUntilAsync(() => env.ConfigValue() == "Hello from Git" && env.Completed.Count >= 2, "the edit made while the watch reconnected was corrected");
        env.Completed[^1].Trigger.Should().Be(ReconcileTrigger.LiveChange, "the interval is an hour: only the re-listed cache can have seen the edit");
        lists.Hits.Should().BeGreaterThan(listsBeforeGone, "the cache listed ConfigMaps again after 410 Gone");
        env.EventsOf<DriftDetected>().Should().ContainSingle().Which.Objects.Should().ContainSingle().Which.Changes.Should().Contain(c => c.Path == "/data/GREETING");
    }
}
