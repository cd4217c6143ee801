using System.Collections.Concurrent;
using GitOps.Sdk.Testing;
using k8s;
using k8s.Models;
using static GitOps.Sdk.Kubernetes.Tests.Emulated.KubeTarget;

namespace GitOps.Sdk.Kubernetes.Tests.Emulated;

public class LiveStateTests
{
    private const string App = "shop";
    private static readonly GroupKind ConfigMaps = new(string.Empty, "ConfigMap");

    [Fact]
    public async Task WatchAsync_AnotherActorChangesAndDeletes_NotifiedAndCacheFollows()
    {
        await using var t = await KubeTarget.StartAsync();
        var cm = ConfigMap("settings", "default", App);
        await t.ApplyAsync(cm);
        await t.LiveState.WatchAsync(ConfigMaps, "v1", "default", CancellationToken.None);
        var changes = new ConcurrentQueue<LiveChange>();
        using var subscription = t.LiveState.Changes.Subscribe(changes.Enqueue);

        await t.Other.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"a\":\"edited\"}}", V1Patch.PatchType.MergePatch), "settings", "default", fieldManager: "kubectl-edit");
        await WaitUntilAsync(() => changes.Any(c => c.Key == cm.Key && c.Type == LiveChangeType.Modified), "the Modified notification");
        var cached = await t.LiveState.GetAsync(cm.Key, "v1", CancellationToken.None);
        await t.Other.CoreV1.DeleteNamespacedConfigMapAsync("settings", "default");
        await WaitUntilAsync(() => changes.Any(c => c.Key == cm.Key && c.Type == LiveChangeType.Deleted), "the Deleted notification");

        cached!.Json.GetProperty("data").GetProperty("a").GetString().Should().Be("edited");
        (await t.LiveState.GetAsync(cm.Key, "v1", CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task Changes_SubscriberThrows_WatchKeepsGoing()
    {
        await using var t = await KubeTarget.StartAsync();
        await t.LiveState.WatchAsync(ConfigMaps, "v1", "default", CancellationToken.None);
        var changes = new ConcurrentQueue<LiveChange>();
        using var collector = t.LiveState.Changes.Subscribe(changes.Enqueue);
        using var thrower = t.LiveState.Changes.Subscribe(_ => throw new InvalidOperationException("subscriber bug"));

        await t.OtherApplyConfigMapAsync("first", "default", "{\"x\":\"1\"}");
        await WaitUntilAsync(() => changes.Any(c => c.Key.Name == "first"), "the first notification");
        await t.OtherApplyConfigMapAsync("second", "default", "{\"x\":\"1\"}");

        await WaitUntilAsync(() => changes.Any(c => c.Key.Name == "second"), "the second notification");
        changes.Count(c => c.Key.Name == "first").Should().Be(1, "the failing subscriber did not make the watch replay events");
    }

    [Fact]
    public async Task GetAsync_KindNotWatched_ReadsFromServer()
    {
        await using var t = await KubeTarget.StartAsync();
        await t.ApplyAsync(Deployment("web", "default", App));

        var live = await t.LiveState.GetAsync(Deployment("web", "default", App).Key, "apps/v1", CancellationToken.None);
        var missing = await t.LiveState.GetAsync(Deployment("nope", "default", App).Key, "apps/v1", CancellationToken.None);
        var unknownKind = await t.LiveState.GetAsync(new ResourceKey("example.com", "Widget", "default", "w"), "example.com/v1", CancellationToken.None);

        live!.Json.GetProperty("spec").GetProperty("replicas").GetInt32().Should().Be(1);
        missing.Should().BeNull();
        unknownKind.Should().BeNull();
        t.LiveState.WatchCount.Should().Be(0);
    }

    [Fact]
    public async Task WatchAsync_DroppedWatchConnections_ReconnectsAndStillNotifies()
    {
        await using var t = await KubeTarget.StartAsync();
        await t.LiveState.WatchAsync(ConfigMaps, "v1", null, CancellationToken.None);
        var changes = new ConcurrentQueue<LiveChange>();
        using var subscription = t.LiveState.Changes.Subscribe(changes.Enqueue);
        var failing = t.Api.Faults.Add(new FaultRule { Verb = "watch", StatusCode = 500, Times = 2 });
        var dropping = t.Api.Faults.Add(new FaultRule { Verb = "watch", DropWatch = true, Times = 1 });

        await WaitUntilAsync(() => t.Api.DropWatches() > 0, "an open watch to drop");
        await WaitUntilAsync(() => failing.Hits == 2 && dropping.Hits == 1, "the failed and dropped re-watches");
        await t.OtherApplyConfigMapAsync("late", "default", "{\"x\":\"1\"}");

        await WaitUntilAsync(() => changes.Any(c => c.Key.Name == "late" && c.Type == LiveChangeType.Added), "the Added notification after reconnecting");
        (await t.LiveState.GetAsync(new ResourceKey(string.Empty, "ConfigMap", "default", "late"), "v1", CancellationToken.None)).Should().NotBeNull();
    }

    [Fact]
    public async Task WatchAsync_ResourceVersionExpiredWhileDisconnected_ListsAgainAndPublishesDifferences()
    {
        await using var t = await KubeTarget.StartAsync();
        await t.OtherApplyConfigMapAsync("doomed", "default", "{\"x\":\"1\"}");
        await t.LiveState.WatchAsync(ConfigMaps, "v1", "default", CancellationToken.None);
        var informer = t.LiveState.FindInformer(ConfigMaps, "default")!;
        var changes = new ConcurrentQueue<LiveChange>();
        using var subscription = t.LiveState.Changes.Subscribe(changes.Enqueue);

        // Keep the watch down while things change and the server forgets the history (an etcd compaction).
        var outage = t.Api.Faults.Add(new FaultRule { Verb = "watch", StatusCode = 503 });
        await WaitUntilAsync(() => outage.Hits >= 1 || t.Api.DropWatches() > 0, "the watch to go down");
        await WaitUntilAsync(() => outage.Hits >= 1, "the watch outage");
        await t.OtherApplyConfigMapAsync("fresh", "default", "{\"x\":\"1\"}");
        await t.Other.CoreV1.DeleteNamespacedConfigMapAsync("doomed", "default");
        t.Api.CompactWatchHistory();
        t.Api.Faults.Remove(outage);

        await WaitUntilAsync(() => informer.ListCount >= 2, "the re-list after 410 Gone");
        await WaitUntilAsync(() => changes.Any(c => c.Key.Name == "doomed" && c.Type == LiveChangeType.Deleted), "the Deleted difference");
        changes.Should().Contain(c => c.Key.Name == "fresh" && c.Type == LiveChangeType.Added);
        (await t.LiveState.GetAsync(new ResourceKey(string.Empty, "ConfigMap", "default", "fresh"), "v1", CancellationToken.None)).Should().NotBeNull();
        (await t.LiveState.GetAsync(new ResourceKey(string.Empty, "ConfigMap", "default", "doomed"), "v1", CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public async Task WatchAsync_ResyncPeriodElapsed_ListsAgainWithoutPublishingUnchangedObjects()
    {
        await using var t = await KubeTarget.StartAsync(o =>
        {
            o.WatchTimeout = TimeSpan.FromSeconds(1);
            o.ResyncPeriod = TimeSpan.FromMilliseconds(500);
        });
        await t.OtherApplyConfigMapAsync("steady", "default", "{\"x\":\"1\"}");
        await t.LiveState.WatchAsync(ConfigMaps, "v1", "default", CancellationToken.None);
        var informer = t.LiveState.FindInformer(ConfigMaps, "default")!;
        var changes = new ConcurrentQueue<LiveChange>();
        using var subscription = t.LiveState.Changes.Subscribe(changes.Enqueue);

        await WaitUntilAsync(() => informer.ListCount >= 2, "the resync list");

        changes.Should().BeEmpty("nothing changed, so a resync publishes nothing");
        (await t.LiveState.GetAsync(new ResourceKey(string.Empty, "ConfigMap", "default", "steady"), "v1", CancellationToken.None)).Should().NotBeNull();
    }

    [Fact]
    public async Task WatchAsync_ListThrottled_RetriedAndSynced()
    {
        await using var t = await KubeTarget.StartAsync();
        await t.OtherApplyConfigMapAsync("x", "default", "{\"x\":\"1\"}");
        var throttled = t.Api.Faults.Add(new FaultRule { Verb = "list", StatusCode = 429, Times = 2 });

        await t.LiveState.WatchAsync(ConfigMaps, "v1", "default", CancellationToken.None);

        throttled.Hits.Should().Be(2);
        t.LiveState.List(ConfigMaps, "default").Select(o => o.Name).Should().Contain("x");
    }
}
