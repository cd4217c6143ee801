using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using GitOps.Sdk.Events;
using Microsoft.Extensions.DependencyInjection;
using GitOps.Sdk.Hooks;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using GitOps.Sdk.Testing.InMemory;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.Logging;
using static GitOps.Sdk.Tests.Reconciliation.PipelineHarness;

namespace GitOps.Sdk.Tests.Reconciliation;

/// <summary>Sync hooks and the wave health gate through the real reconciler, on the in-memory cluster and a fake clock.</summary>
public sealed class SyncHookTests
{
    private static readonly GroupKind JobKind = new("batch", "Job");

    private static ResourceKey JobKey(string name) => new("batch", "Job", "shop", name);

    private static string Job(string name, string annotations) => $"""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: {name}
          annotations:
        {annotations}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: main
                  image: busybox
        """;

    private static string ConfigMapInWave(string name, int wave) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
          annotations:
            argocd.argoproj.io/sync-wave: "{wave}"
        data:
          greeting: hello
        """;

    private static async Task<ReconcileResult> ReconcileAsync(PipelineHarness h)
    {
        var run = h.Controller.ReconcileAsync("shop", default);
        await h.AdvanceUntilAsync(() => run.IsCompleted, TimeSpan.FromSeconds(2), TimeSpan.FromHours(1), "the reconcile finished");
        return await run;
    }

    [Fact]
    public async Task Sync_PreSyncAndPostSyncHooks_RunAroundTheApplyInOrder_CleanedUpPerPolicy_NotRecorded()
    {
        await using var h = Create();
        using var jobs = await JobController.StartAsync(h.Cluster, _ => true);
        h.Commit(
            ("settings.yaml", ConfigMap("a", "hello")),
            ("migrate.yaml", Job("migrate", "    argocd.argoproj.io/hook: PreSync\n    argocd.argoproj.io/hook-delete-policy: HookSucceeded")),
            ("smoke.yaml", Job("smoke", "    argocd.argoproj.io/hook: PostSync")));

        var result = await ReconcileAsync(h);

        result.Outcome.Should().Be(ReconcileOutcome.Applied, result.Error);
        var events = h.Events.ToList();
        var migrated = events.FindIndex(e => e is HookFinished { Phase: SyncHookPhase.PreSync, Succeeded: true } f && f.Object == JobKey("migrate"));
        var applied = events.FindIndex(e => e is Applied);
        var smoked = events.FindIndex(e => e is HookFinished { Phase: SyncHookPhase.PostSync, Succeeded: true } f && f.Object == JobKey("smoke"));
        migrated.Should().BeGreaterThan(-1);
        applied.Should().BeGreaterThan(migrated, "PreSync runs before anything is applied");
        smoked.Should().BeGreaterThan(applied, "PostSync runs after the apply");
        jobs.Created.Should().Equal("migrate", "smoke");
        h.Cluster.Find(JobKey("migrate")).Should().BeNull("HookSucceeded deletes it once it succeeded");
        var smokeUid = Uid(h.Cluster.Find(JobKey("smoke")));
        smokeUid.Should().NotBeNull("BeforeHookCreation (the default) keeps it until the next sync");
        h.Value("a").Should().Be("hello");
        (await h.Inventory.GetAsync("shop", default))!.Entries.Select(e => e.Key).Should().Equal([ConfigMapKey("a")], "hooks are not recorded");
        h.Controller.GetStatus("shop")!.Objects.Select(o => o.Key).Should().Equal([ConfigMapKey("a")], "hooks are not managed objects");
        h.EventsOf<Applied>().Single().Objects.Select(o => o.Key).Should().Equal([ConfigMapKey("a")]);

        // Nothing to sync: no hook runs, and the completed hook is neither drift nor pruned.
        var again = await ReconcileAsync(h);
        again.Outcome.Should().Be(ReconcileOutcome.Synced, again.Error);
        h.EventsOf<HookFinished>().Should().HaveCount(2);
        jobs.Created.Should().HaveCount(2);
        again.Diffs.Should().BeEmpty();
        Uid(h.Cluster.Find(JobKey("smoke"))).Should().Be(smokeUid);

        // The next change syncs again: the hooks run again, the old smoke Job replaced first.
        h.Commit(
            ("settings.yaml", ConfigMap("a", "bonjour")),
            ("migrate.yaml", Job("migrate", "    argocd.argoproj.io/hook: PreSync\n    argocd.argoproj.io/hook-delete-policy: HookSucceeded")),
            ("smoke.yaml", Job("smoke", "    argocd.argoproj.io/hook: PostSync")));
        var changed = await ReconcileAsync(h);
        changed.Outcome.Should().Be(ReconcileOutcome.Applied, changed.Error);
        jobs.Created.Should().Equal("migrate", "smoke", "migrate", "smoke");
        Uid(h.Cluster.Find(JobKey("smoke"))).Should().NotBe(smokeUid, "BeforeHookCreation deleted the previous one and created it again");
        h.Value("a").Should().Be("bonjour");
    }

    [Fact]
    public async Task Sync_HelmHookAnnotations_RunAsPreSyncByWeightAndPostSync()
    {
        await using var h = Create();
        using var jobs = await JobController.StartAsync(h.Cluster, _ => true);
        h.Commit(
            ("settings.yaml", ConfigMap("a", "hello")),
            ("second.yaml", Job("second", "    helm.sh/hook: pre-install,pre-upgrade\n    helm.sh/hook-weight: \"5\"")),
            ("first.yaml", Job("first", "    helm.sh/hook: pre-upgrade,pre-install\n    helm.sh/hook-weight: \"-5\"\n    helm.sh/hook-delete-policy: hook-succeeded")),
            ("after.yaml", Job("after", "    helm.sh/hook: post-install")),
            ("test.yaml", Job("test", "    helm.sh/hook: test")));

        var result = await ReconcileAsync(h);

        result.Outcome.Should().Be(ReconcileOutcome.Applied, result.Error);
        jobs.Created.Should().Equal("first", "second", "after");
        h.Cluster.Find(JobKey("test")).Should().BeNull("a test hook has no sync phase: it is left out");
        h.Cluster.Find(JobKey("first")).Should().BeNull("hook-succeeded");
        h.Cluster.Find(JobKey("second")).Should().NotBeNull("before-hook-creation is the default");
    }

    [Fact]
    public async Task Sync_PreSyncHookFails_NothingApplied_SyncFailHookRuns_ReadyFalseHookFailed()
    {
        await using var h = Create();
        using var jobs = await JobController.StartAsync(h.Cluster, name => name != "migrate");
        h.Commit(
            ("settings.yaml", ConfigMap("a", "hello")),
            ("migrate.yaml", Job("migrate", "    argocd.argoproj.io/hook: PreSync\n    argocd.argoproj.io/hook-delete-policy: HookFailed")),
            ("smoke.yaml", Job("smoke", "    argocd.argoproj.io/hook: PostSync")),
            ("notify.yaml", Job("notify", "    argocd.argoproj.io/hook: SyncFail")));

        var result = await ReconcileAsync(h);

        result.Outcome.Should().Be(ReconcileOutcome.Failed);
        result.FailedStage.Should().Be(ReconcileStage.Apply);
        result.Error.Should().Contain("PreSync hook batch/Job/shop/migrate (migrate.yaml#0 (1:1)) failed: Job has reached the specified backoff limit")
            .And.Contain("nothing of the sync was applied").And.Contain("SyncFail hooks ran");
        h.Value("a").Should().BeNull("nothing of the sync was applied");
        jobs.Created.Should().Equal("migrate", "notify");
        h.Cluster.Find(JobKey("migrate")).Should().BeNull("HookFailed deletes it once it failed");
        h.EventsOf<HookFinished>().Select(e => (e.Object.Name, e.Phase, e.Succeeded)).Should().Equal(("migrate", SyncHookPhase.PreSync, false), ("notify", SyncHookPhase.SyncFail, true));
        h.EventsOf<Applied>().Should().BeEmpty();
        var ready = h.Controller.GetStatus("shop")!.GetCondition(ConditionTypes.Ready)!;
        ready.Status.Should().Be(ConditionStatus.False);
        ready.Reason.Should().Be("HookFailed");
        ready.Message.Should().Contain("migrate");
        (await h.Inventory.GetAsync("shop", default))?.Entries.Should().BeEmpty();
    }

    [Fact]
    public async Task Sync_PostSyncHookFails_RunFailsAfterTheApply_SyncFailHookRuns()
    {
        await using var h = Create();
        using var jobs = await JobController.StartAsync(h.Cluster, name => name != "smoke");
        h.Commit(
            ("settings.yaml", ConfigMap("a", "hello")),
            ("smoke.yaml", Job("smoke", "    argocd.argoproj.io/hook: PostSync")),
            ("notify.yaml", Job("notify", "    argocd.argoproj.io/hook: SyncFail")));

        var result = await ReconcileAsync(h);

        result.Outcome.Should().Be(ReconcileOutcome.Failed);
        result.Error.Should().Contain("PostSync hook batch/Job/shop/smoke").And.Contain("SyncFail hooks ran");
        h.Value("a").Should().Be("hello");
        jobs.Created.Should().Equal("smoke", "notify");
        h.Cluster.Find(JobKey("smoke")).Should().NotBeNull("BeforeHookCreation keeps a failed hook for inspection");
        h.Controller.GetStatus("shop")!.GetCondition(ConditionTypes.Ready)!.Reason.Should().Be("HookFailed");
    }

    [Fact]
    public async Task Sync_HookTimesOut_FailsNamingTheTimeout()
    {
        await using var h = Create(app: a => a with { HookTimeout = TimeSpan.FromSeconds(30) });
        using var jobs = await JobController.StartAsync(h.Cluster, _ => null);
        h.Commit(("settings.yaml", ConfigMap("a", "hello")), ("migrate.yaml", Job("migrate", "    argocd.argoproj.io/hook: PreSync")));

        var result = await ReconcileAsync(h);

        result.Outcome.Should().Be(ReconcileOutcome.Failed);
        result.Error.Should().Contain("PreSync hook batch/Job/shop/migrate (migrate.yaml#0 (1:1)) failed: did not finish within 00:00:30 (HookTimeout): Progressing: Job is running");
        h.Value("a").Should().BeNull();
    }

    [Fact]
    public async Task Sync_HookNameTakenByAnObjectNotOwned_NeitherDeletedNorWrittenOver()
    {
        await using var h = Create();
        var foreign = h.Cluster.Put(KubeObject.Parse("""{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"migrate","namespace":"shop","labels":{"team":"data"}},"spec":{"parallelism":3}}"""));
        using var jobs = await JobController.StartAsync(h.Cluster, _ => true);
        h.Commit(("settings.yaml", ConfigMap("a", "hello")), ("migrate.yaml", Job("migrate", "    argocd.argoproj.io/hook: PreSync")));

        var result = await ReconcileAsync(h);

        result.Outcome.Should().Be(ReconcileOutcome.Failed);
        result.Error.Should().Contain("PreSync hook batch/Job/shop/migrate (migrate.yaml#0 (1:1)) failed: not created: a live object of that name is not owned by application 'shop' (label gitops.sdk.io/application=(none))");
        var live = h.Cluster.Find(JobKey("migrate"))!;
        Uid(live).Should().Be(Uid(foreign));
        live.Json.GetProperty("spec").GetProperty("parallelism").GetInt32().Should().Be(3, "not written over");
        h.Value("a").Should().BeNull();
        jobs.Created.Should().BeEmpty();
    }

    [Fact]
    public async Task Sync_SyncHook_RunsAfterTheObjectsOfItsWave_BeforeLaterWaves()
    {
        await using var h = Create();
        var seen = new ConcurrentQueue<string>();
        using var jobs = await JobController.StartAsync(h.Cluster, _ => true, onCreated: name =>
            seen.Enqueue($"{name}: early={h.Cluster.Find(ConfigMapKey("early")) is not null} late={h.Cluster.Find(ConfigMapKey("late")) is not null}"));
        h.Commit(
            ("early.yaml", ConfigMapInWave("early", 0)),
            ("late.yaml", ConfigMapInWave("late", 2)),
            ("between.yaml", Job("between", "    argocd.argoproj.io/hook: Sync\n    argocd.argoproj.io/sync-wave: \"1\"")));

        var result = await ReconcileAsync(h);

        result.Outcome.Should().Be(ReconcileOutcome.Applied, result.Error);
        seen.Should().Equal("between: early=True late=False");
        h.Value("late").Should().Be("hello");
    }

    [Fact]
    public async Task WaveHealthGate_WaveNotHealthyInTime_LaterWavesNotApplied_FailsNamingTheObjects()
    {
        var slow = new SwitchableHealth();
        await using var h = Create(
            app: a => a with { WaveHealthGate = true, WaveHealthTimeout = TimeSpan.FromSeconds(30) },
            builder: b => b.AddHealthAssessor(slow));
        h.Commit(("slow.yaml", ConfigMapInWave("slow", 0)), ("fast.yaml", ConfigMapInWave("fast", 0)), ("late.yaml", ConfigMapInWave("late", 1)));

        var result = await ReconcileAsync(h);

        result.Outcome.Should().Be(ReconcileOutcome.Failed);
        result.Error.Should().Contain("wave 0 did not become healthy within 00:00:30 (WaveHealthTimeout); wave 1 and later were not applied, nothing was pruned: ConfigMap shop/slow: Progressing: still warming up")
            .And.NotContain("shop/fast");
        h.Value("slow").Should().Be("hello");
        h.Value("late").Should().BeNull("wave 1 waits for wave 0");
        result.Apply!.Objects.Single(o => o.Key == ConfigMapKey("late")).Message.Should().Be("not carried out: wave 0 did not become healthy within 00:00:30 (WaveHealthTimeout)");
        var ready = h.Controller.GetStatus("shop")!.GetCondition(ConditionTypes.Ready)!;
        ready.Status.Should().Be(ConditionStatus.False);
        ready.Reason.Should().Be("WaveNotHealthy");
        ready.Message.Should().Contain("ConfigMap shop/slow: Progressing: still warming up");
    }

    [Fact]
    public async Task WaveHealthGate_WaveBecomesHealthy_ThenNextWaveIsApplied()
    {
        var slow = new SwitchableHealth();
        await using var h = Create(
            app: a => a with { WaveHealthGate = true, WaveHealthTimeout = TimeSpan.FromMinutes(5) },
            builder: b => b.AddHealthAssessor(slow));
        h.Commit(("slow.yaml", ConfigMapInWave("slow", 0)), ("late.yaml", ConfigMapInWave("late", 1)));

        var run = h.Controller.ReconcileAsync("shop", default);
        await WaitUntilAsync(() => h.Value("slow") is not null, "wave 0 was applied");
        await h.AdvanceUntilAsync(() => run.IsCompleted, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), "the gate let wave 1 through").ContinueWith(static _ => { }, TaskScheduler.Default);
        run.IsCompleted.Should().BeFalse("wave 0 is not healthy: the run waits in the gate");
        h.Value("late").Should().BeNull();

        slow.Healthy = true;
        await h.AdvanceUntilAsync(() => run.IsCompleted, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), "the run finished");
        var result = await run;

        result.Outcome.Should().Be(ReconcileOutcome.Applied, result.Error);
        h.Value("late").Should().Be("hello");
    }

    [Fact]
    public async Task WaveHealthGate_AWaitThatStarts_IsLoggedAtInformation_WithWhatItWaitsForAndTheTimeout()
    {
        var slow = new SwitchableHealth();
        var logs = new CapturingLoggerProvider();
        await using var h = Create(
            app: a => a with { WaveHealthGate = true, WaveHealthTimeout = TimeSpan.FromMinutes(3) },
            builder: b => b.AddHealthAssessor(slow),
            services: s => s.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Information)));
        h.Commit(("slow.yaml", ConfigMapInWave("slow", 0)), ("late.yaml", ConfigMapInWave("late", 1)));

        var run = h.Controller.ReconcileAsync("shop", default);
        await WaitUntilAsync(() => Waits(logs).Count > 0, "the wait was logged");

        Waits(logs).Should().Equal("65 Information: shop: waiting up to 00:03:00 (WaveHealthTimeout) for wave 0 to become healthy before wave 1: ConfigMap shop/slow: Progressing: still warming up");
        run.IsCompleted.Should().BeFalse();
        slow.Healthy = true;
        await h.AdvanceUntilAsync(() => run.IsCompleted, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), "the run finished");
        (await run).Outcome.Should().Be(ReconcileOutcome.Applied);
        Waits(logs).Should().ContainSingle("one wait, logged once when it starts");
    }

    [Fact]
    public async Task HealthWaitBeforePostSync_IsLoggedAtInformation_WithWhatItWaitsForAndTheTimeout()
    {
        var slow = new SwitchableHealth();
        var logs = new CapturingLoggerProvider();
        await using var h = Create(
            app: a => a with { HealthTimeout = TimeSpan.FromMinutes(4) },
            builder: b => b.AddHealthAssessor(slow),
            services: s => s.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Information)));
        using var jobs = await JobController.StartAsync(h.Cluster, _ => true);
        h.Commit(("slow.yaml", ConfigMap("slow", "hello")), ("fast.yaml", ConfigMap("fast", "hello")), ("smoke.yaml", Job("smoke", "    argocd.argoproj.io/hook: PostSync")));

        var run = h.Controller.ReconcileAsync("shop", default);
        await WaitUntilAsync(() => Waits(logs).Count > 0, "the wait was logged");

        Waits(logs).Should().Equal("68 Information: shop: waiting up to 00:04:00 (HealthTimeout) for health before the PostSync hooks: ConfigMap shop/slow: Progressing: still warming up");
        jobs.Created.Should().BeEmpty();
        slow.Healthy = true;
        await h.AdvanceUntilAsync(() => run.IsCompleted, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), "the run finished");
        (await run).Outcome.Should().Be(ReconcileOutcome.Applied);
        jobs.Created.Should().Equal("smoke");
    }

    private static List<string> Waits(CapturingLoggerProvider logs) =>
        [.. logs.Entries.Where(static e => e.EventId.Id is 65 or 68).Select(static e => $"{e.EventId.Id} {e.Level}: {e.Message}")];

    [Fact]
    public async Task WaveHealthGate_Off_WavesDoNotWait()
    {
        var slow = new SwitchableHealth();
        await using var h = Create(builder: b => b.AddHealthAssessor(slow));
        h.Commit(("slow.yaml", ConfigMapInWave("slow", 0)), ("late.yaml", ConfigMapInWave("late", 1)));

        var result = await h.Controller.ReconcileAsync("shop", default);

        result.Outcome.Should().Be(ReconcileOutcome.Applied, result.Error);
        h.Value("late").Should().Be("hello");
    }

    private static string? Uid(KubeObject? o) => o is not null && o.Metadata.TryGetProperty("uid", out var uid) ? uid.GetString() : null;

    private sealed class SwitchableHealth : IHealthAssessor
    {
        public volatile bool Healthy;

        public HealthResult? Assess(KubeObject live) =>
            live.Name == "slow" && !Healthy ? new HealthResult(HealthStatus.Progressing, "still warming up") : null;
    }

    /// <summary>
    /// Acts as the Job controller of a cluster: when a Job appears it writes the terminal status a real controller writes
    /// (Complete with SuccessCriteriaMet, or Failed with FailureTarget after the backoff limit), or leaves it running.
    /// </summary>
    private sealed class JobController : IDisposable
    {
        private readonly InMemoryCluster _cluster;
        private readonly Func<string, bool?> _succeeds;
        private readonly Action<string>? _onCreated;
        private readonly ConcurrentQueue<string> _created = new();
        private IDisposable? _subscription;

        private JobController(InMemoryCluster cluster, Func<string, bool?> succeeds, Action<string>? onCreated)
        {
            _cluster = cluster;
            _succeeds = succeeds;
            _onCreated = onCreated;
        }

        public IReadOnlyList<string> Created => [.. _created];

        public static async Task<JobController> StartAsync(InMemoryCluster cluster, Func<string, bool?> succeeds, Action<string>? onCreated = null)
        {
            var controller = new JobController(cluster, succeeds, onCreated);
            await cluster.WatchAsync(JobKind, "batch/v1", null, default);
            controller._subscription = cluster.Changes.Subscribe(controller.OnChange);
            return controller;
        }

        public void Dispose() => _subscription?.Dispose();

        private void OnChange(LiveChange change)
        {
            if (change.Type != LiveChangeType.Added || change.Key.GroupKind != JobKind)
            {
                return;
            }

            _created.Enqueue(change.Key.Name);
            _onCreated?.Invoke(change.Key.Name);
            if (_succeeds(change.Key.Name) is not { } succeeded)
            {
                return;
            }

            _ = Task.Run(() => _cluster.Update(change.Key, job => job["status"] = Status(succeeded), "job-controller"));
        }

        private static JsonObject Status(bool succeeded) => succeeded
            ? new JsonObject
            {
                ["succeeded"] = 1,
                ["conditions"] = new JsonArray(
                    new JsonObject { ["type"] = "SuccessCriteriaMet", ["status"] = "True" },
                    new JsonObject { ["type"] = "Complete", ["status"] = "True" }),
            }
            : new JsonObject
            {
                ["failed"] = 1,
                ["conditions"] = new JsonArray(
                    new JsonObject { ["type"] = "FailureTarget", ["status"] = "True", ["reason"] = "BackoffLimitExceeded" },
                    new JsonObject { ["type"] = "Failed", ["status"] = "True", ["reason"] = "BackoffLimitExceeded", ["message"] = "Job has reached the specified backoff limit" }),
            };
    }
}
