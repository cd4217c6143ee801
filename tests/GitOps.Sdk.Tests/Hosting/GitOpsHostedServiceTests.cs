using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using GitOps.Sdk.Tests.Reconciliation;
using Microsoft.Extensions.DependencyInjection;
using static GitOps.Sdk.Tests.Reconciliation.PipelineHarness;

namespace GitOps.Sdk.Tests.Hosting;

public sealed class GitOpsHostedServiceTests
{
    [Fact]
    public async Task Start_ReconcilesAtOnceThenOnInterval()
    {
        await using var h = Create();
        h.Commit(("a.yaml", ConfigMap("a", "hello")));

        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 1, "the start-up reconcile finished");
        h.Value("a").Should().Be("hello");
        h.EventsOf<ReconcileCompleted>()[0].Trigger.Should().Be(ReconcileTrigger.Startup);
        await WaitUntilAsync(() => h.Controller.GetStatus("shop")!.NextReconcileTime is not null, "the next run was scheduled");
        h.Controller.GetStatus("shop")!.NextReconcileTime.Should().Be(h.Time.GetUtcNow() + TimeSpan.FromMinutes(5));

        var idle = await h.WaitForIdleAsync("the loop waits for the interval");
        idle.Until.Should().Be(h.Controller.GetStatus("shop")!.NextReconcileTime);

        h.Time.Advance(TimeSpan.FromMinutes(4));
        h.IsWoken(idle).Should().BeFalse("the interval has not elapsed: the fake clock fires due timers inside Advance");
        h.RuntimeOf().CurrentWait.Should().BeSameAs(idle);
        h.Completed.Should().Be(1);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        h.IsWoken(idle).Should().BeTrue("the interval elapsed");
        await WaitUntilAsync(() => h.Completed == 2, "the interval reconcile ran");

        var second = h.EventsOf<ReconcileCompleted>()[1];
        second.Trigger.Should().Be(ReconcileTrigger.Interval);
        second.Outcome.Should().Be(ReconcileOutcome.Skipped, "nothing changed in the source or the cluster");
        h.Source.FetchCount.Should().Be(1);
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task Failure_RetriesWithBoundedExponentialBackoff()
    {
        await using var h = Create(app: a => a with { MinRetryDelay = TimeSpan.FromSeconds(5), MaxRetryDelay = TimeSpan.FromSeconds(30) });
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        h.Source.Fail(Url, SourceErrorKind.Unreachable, "connection refused");
        var delays = new List<TimeSpan>();

        await h.HostedService.StartAsync(default);
        var seen = 0;
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var idle = await h.WaitForIdleAsync($"attempt {attempt} scheduled the next", after: seen);
            seen = idle.Sequence;
            h.Completed.Should().Be(attempt);
            var status = h.Controller.GetStatus("shop")!;
            delays.Add(status.NextReconcileTime!.Value - status.LastReconcileTime!.Value);
            idle.Until.Should().Be(status.NextReconcileTime, "the loop waits until the time its status announces");
            status.ConsecutiveFailures.Should().Be(attempt);
            if (attempt < 5)
            {
                await h.AdvanceUntilAsync(() => h.Completed == attempt + 1, $"retry {attempt} ran");
            }
        }

        delays.Should().Equal(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        h.EventsOf<ReconcileCompleted>().Skip(1).Should().OnlyContain(e => e.Trigger == ReconcileTrigger.Retry);

        h.Source.ClearFailure(Url);
        await h.AdvanceUntilAsync(() => h.Completed == 6, "the retry after recovery ran");
        await h.WaitForIdleAsync("next scheduled", after: seen);
        var recovered = h.Controller.GetStatus("shop")!;
        recovered.ConsecutiveFailures.Should().Be(0);
        (recovered.NextReconcileTime!.Value - recovered.LastReconcileTime!.Value).Should().Be(TimeSpan.FromMinutes(5), "success returns to the interval");
        h.Value("a").Should().Be("hello");
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task WatchEvent_ObjectDeletedByAnotherActor_RecreatedWithoutWaitingForInterval()
    {
        await using var h = Create();
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 1, "the first sync finished");

        var idle = await h.WaitForIdleAsync("the loop waits for the interval");

        h.Cluster.Delete(ConfigMapKey("a"));
        h.IsWoken(idle).Should().BeTrue("the watch event wakes the loop at once");
        await h.AdvanceUntilAsync(() => h.Value("a") is not null && h.Completed == 2, "the deleted object was recreated");
        h.Time.GetUtcNow().Should().Be(idle.Until!.Value - TimeSpan.FromMinutes(5), "the first change after a quiet period is corrected at once: no clock time passed");

        var completed = h.EventsOf<ReconcileCompleted>();
        completed[^1].Trigger.Should().Be(ReconcileTrigger.LiveChange);
        h.EventsOf<DriftDetected>().Should().ContainSingle().Which.Objects.Should().ContainSingle().Which.Action.Should().Be(DiffAction.Create);
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task WatchEvent_WithinTheDebounceOfALiveChangeReconcile_WaitsForTheDebounce()
    {
        await using var h = Create();
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 1, "the first sync finished");
        var idle = await h.WaitForIdleAsync("the loop waits for the interval");

        h.Cluster.Delete(ConfigMapKey("a"));
        await WaitUntilAsync(() => h.Completed == 2, "the leading-edge reconcile recreated it");
        h.Value("a").Should().Be("hello");
        var leading = h.Time.GetUtcNow();
        idle = await h.WaitForIdleAsync("the loop waits again", after: idle.Sequence);

        // A second change right after (no clock time passed) belongs to the same burst.
        h.Cluster.Update(ConfigMapKey("a"), n => n["data"]!["greeting"] = "vandalised", "kubectl-edit");
        var debounce = await h.WaitForIdleAsync("the loop debounces the burst", after: idle.Sequence);
        debounce.Until.Should().Be(leading + TimeSpan.FromMilliseconds(200), "within the window the change waits for the debounce");
        h.Value("a").Should().Be("vandalised");
        await h.AdvanceUntilAsync(() => h.Value("a") == "hello" && h.Completed == 3, "the trailing reconcile reverted the field");
        h.Time.GetUtcNow().Should().Be(leading + TimeSpan.FromMilliseconds(200));
        h.EventsOf<ReconcileCompleted>().Select(e => e.Trigger).Should().Equal(ReconcileTrigger.Startup, ReconcileTrigger.LiveChange, ReconcileTrigger.LiveChange);
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task DriftLeadingEdgeOff_EveryWatchEventWaitsForTheDebounce()
    {
        await using var h = Create(options: o => o.DriftLeadingEdge = false);
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 1, "the first sync finished");
        var idle = await h.WaitForIdleAsync("the loop waits for the interval");
        var start = h.Time.GetUtcNow();

        h.Cluster.Delete(ConfigMapKey("a"));
        var debounce = await h.WaitForIdleAsync("the loop debounces the change", after: idle.Sequence);
        debounce.Until.Should().Be(start + TimeSpan.FromMilliseconds(200));
        h.Value("a").Should().BeNull();
        await h.AdvanceUntilAsync(() => h.Value("a") is not null, "the deleted object was recreated");
        h.Time.GetUtcNow().Should().Be(start + TimeSpan.FromMilliseconds(200), "only the drift debounce elapsed");
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task WatchEventStorm_OfAHundredChanges_CoalescedIntoAtMostThreeReconciles()
    {
        await using var h = Create();
        var files = Enumerable.Range(0, 100).Select(i => ($"c{i}.yaml", ConfigMap($"c{i}", "hello"))).ToArray();
        h.Commit(files);
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 1, "the first sync finished");
        await h.WaitForIdleAsync("the loop waits for the interval");
        var before = h.Completed;

        for (var i = 0; i < 100; i++)
        {
            h.Cluster.Update(ConfigMapKey($"c{i}"), n => n["data"]!["greeting"] = "vandalised", "kubectl-edit");
        }

        // The values are back before the reconcile's completed event is published: wait for both.
        await h.AdvanceUntilAsync(() => h.Completed > before && Enumerable.Range(0, 100).All(i => h.Value($"c{i}") == "hello"), "every change was reverted");
        (h.Completed - before).Should().BeInRange(1, 3, "a storm of changes is coalesced");
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task WatchEvent_FieldChangedByAnotherActor_RevertedAndAttributed()
    {
        await using var h = Create();
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 1, "the first sync finished");

        await h.WaitForIdleAsync("the loop waits for the interval");

        h.Cluster.Update(ConfigMapKey("a"), n => n["data"]!["greeting"] = "vandalised", "kubectl-edit");
        await h.AdvanceUntilAsync(() => h.Value("a") == "hello", "the field was reverted");

        var drift = h.EventsOf<DriftDetected>().Should().ContainSingle().Subject;
        drift.Objects[0].Changes.Should().ContainSingle().Which.Attribution!.Manager.Should().Be("kubectl-edit");
        await WaitUntilAsync(() => h.Controller.GetStatus("shop")!.LastDrift is not null, "status shows the drift");
        h.Controller.GetStatus("shop")!.LastDrift!.Corrected.Should().BeTrue();
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task OwnApply_DoesNotTriggerAnotherReconcile()
    {
        await using var h = Create();
        h.Commit(("a.yaml", ConfigMap("a", "hello")), ("b.yaml", ConfigMap("b", "world")));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 1, "the first sync finished");

        // Changes made by the engine's own apply are recognised by resourceVersion and do not schedule work.
        h.Commit(("a.yaml", ConfigMap("a", "changed")), ("b.yaml", ConfigMap("b", "world")));
        var first = await h.WaitForIdleAsync("the loop waits for the interval");
        h.Controller.RequestReconcile("shop").Should().BeTrue();
        await WaitUntilAsync(() => h.Completed == 2, "the manual reconcile ran");

        // Back in its wait with nothing queued: a trigger raised by the run's own writes would have completed the
        // wait's wake task at once (the trigger channel is read synchronously), and the debounce would be a clock wait.
        var idle = await h.WaitForIdleAsync("the loop waits again after the manual run", after: first.Sequence);
        idle.Until.Should().Be(h.Time.GetUtcNow() + TimeSpan.FromMinutes(5), "the next wait is the interval, not a drift debounce");
        h.Time.Advance(TimeSpan.FromSeconds(5));
        h.IsWoken(idle).Should().BeFalse("no live-change trigger was raised by the engine's own apply");
        h.RuntimeOf().CurrentWait.Should().BeSameAs(idle);
        h.Completed.Should().Be(2);
        h.EventsOf<ReconcileCompleted>()[1].Trigger.Should().Be(ReconcileTrigger.Manual);
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task NotifySourceChanged_TriggersApplicationsUsingThatSource()
    {
        await using var h = Create();
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 1, "the first sync finished");
        h.Commit(("a.yaml", ConfigMap("a", "pushed")));

        h.Controller.NotifySourceChanged("MEMORY://shop/").Should().Be(1);
        h.Controller.NotifySourceChanged("memory://other").Should().Be(0);
        await WaitUntilAsync(() => h.Value("a") == "pushed", "the pushed change was applied");

        // The object is written before the run publishes its completion event: wait for the event too.
        await WaitUntilAsync(() => h.Completed == 2, "the source-change reconcile completed");
        h.EventsOf<ReconcileCompleted>()[^1].Trigger.Should().Be(ReconcileTrigger.SourceChanged);
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task Suspend_StopsScheduledAndTriggeredReconciles_ResumeRunsAgain()
    {
        await using var h = Create();
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 1, "the first sync finished");

        var interval = await h.WaitForIdleAsync("the loop waits for the interval");

        h.Controller.Suspend("shop").Should().BeTrue();
        h.Controller.GetStatus("shop")!.Suspended.Should().BeTrue();
        h.Controller.RequestReconcile("shop").Should().BeFalse();
        h.Cluster.Delete(ConfigMapKey("a"));
        h.IsWoken(interval).Should().BeFalse("a suspended application takes no live-change trigger");
        h.Time.Advance(TimeSpan.FromMinutes(30));

        // The interval timer wakes the loop once; suspended, it goes back to a wait with no clock deadline.
        var suspended = await h.WaitForIdleAsync("the suspended loop waits for resume", after: interval.Sequence);
        suspended.Until.Should().BeNull("a suspended application waits for no timer");
        h.Time.Advance(TimeSpan.FromHours(1));
        h.IsWoken(suspended).Should().BeFalse();
        h.Completed.Should().Be(1);
        h.Value("a").Should().BeNull();

        h.Controller.Resume("shop").Should().BeTrue();
        await WaitUntilAsync(() => h.Value("a") is not null, "the resumed application reconciled");
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task ConcurrencyLimit_BoundsParallelReconciles_AndOneFailureDoesNotStallOthers()
    {
        var gate = new GateProvider();
        await using var h = Create(applications: 3, options: o => o.MaxConcurrentReconciles = 1, builder: b => b.AddSourceProvider(gate));
        h.Source.Commit(Url, Files(("a.yaml", ConfigMap("a", "hello"))));
        h.Source.Commit(Url + "2", Files(("c.yaml", ConfigMap("c", "third"))));

        // shop1 uses the blocking provider; with a limit of one, the others wait until it is released, then run.
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => gate.Entered == 1, "shop1's reconcile is blocked in its source");
        var before = h.Completed;
        await WaitUntilAsync(() => h.SlotWaiters == 2 - before, "the other applications wait for the only slot");
        h.Completed.Should().Be(before, "shop1 holds the only reconcile slot");
        gate.Release();
        await WaitUntilAsync(() => h.Completed == 3, "all applications reconciled");

        gate.MaxConcurrent.Should().Be(1);
        h.Controller.GetStatus("shop1")!.LastErrorStage.Should().Be(ReconcileStage.Source, "shop1's source fails");
        h.Controller.GetStatus("shop")!.Is(ConditionTypes.Ready).Should().BeTrue();
        h.Controller.GetStatus("shop2")!.Is(ConditionTypes.Ready).Should().BeTrue();
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task Stop_CancelsRunningReconcileAndEnds()
    {
        var gate = new GateProvider();
        await using var h = Create(app: a => a with { Source = new SourceReference { Url = GateProvider.Url } }, builder: b => b.AddSourceProvider(gate));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => gate.Entered == 1, "the reconcile is under way");

        await h.HostedService.StopAsync(default);

        h.EventsOf<ReconcileCompleted>().Should().ContainSingle().Which.Outcome.Should().Be(ReconcileOutcome.Cancelled);
        h.Writer.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task Start_WithoutTarget_FailsNamingMissingParts()
    {
        var services = new ServiceCollection();
        services.AddGitOps(o => o.Applications.Add(new ApplicationDefinition { Name = "a", Source = new SourceReference { Url = "memory://a" } }));
        await using var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Single();

        var start = () => hosted.StartAsync(default);

        (await start.Should().ThrowAsync<InvalidOperationException>()).Which.Message
            .Should().Contain("ILiveState").And.Contain("IResourceWriter").And.Contain("AddKubernetesTarget");
    }

    /// <summary>A source that blocks until released (shop1's URL and <see cref="Url"/>), then fails.</summary>
    private sealed class GateProvider : ISourceProvider
    {
        public const string Url = "gate://blocked";
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _entered;
        private int _current;
        private int _max;

        public int Entered => Volatile.Read(ref _entered);

        public int MaxConcurrent => Volatile.Read(ref _max);

        public void Release() => _released.TrySetResult();

        public bool CanHandle(SourceReference source) => source.Url is Url or PipelineHarness.Url + "1";

        public async ValueTask<SourceRevision> ResolveAsync(SourceReference source, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _entered);
            var now = Interlocked.Increment(ref _current);
            int seen;
            while ((seen = Volatile.Read(ref _max)) < now && Interlocked.CompareExchange(ref _max, now, seen) != seen)
            {
            }

            try
            {
                await _released.Task.WaitAsync(cancellationToken);
                throw new SourceException($"{source}: gate closed") { Kind = SourceErrorKind.Unreachable };
            }
            finally
            {
                Interlocked.Decrement(ref _current);
            }
        }

        public ValueTask<SourceArtifact> FetchAsync(SourceReference source, CancellationToken cancellationToken) =>
            throw new SourceException("unreachable");
    }
}
