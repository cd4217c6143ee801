using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using GitOps.Sdk.Tests.Reconciliation;
using Microsoft.Extensions.DependencyInjection;
using static GitOps.Sdk.Tests.Reconciliation.PipelineHarness;

namespace GitOps.Sdk.Tests.Hosting;

/// <summary>
/// Races and edge cases of applications changing while the host runs (found in review): one application name never has
/// two reconciles at once, a changed dependency is not ready before its new definition ran, the status carries the old
/// definition's last run, and a bad entry in one source never freezes the others.
/// </summary>
public sealed class ApplicationSourceRaceTests
{
    private const string GateUrl = "gate://review";

    private static ApplicationDefinition Gated() => new()
    {
        Name = "extra",
        Source = new SourceReference { Url = GateUrl, Ref = "main" },
        Namespace = "shop",
        Interval = TimeSpan.FromMinutes(5),
    };

    [Fact]
    public async Task ManualReconcileOfTheOldDefinition_TheReplacementWaitsForIt()
    {
        var gate = new CountingGate();
        var memory = new InMemoryApplicationSource([Gated()]);
        await using var h = Create(builder: b => b.AddApplicationSource(memory).AddSourceProvider(gate));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => gate.Entered == 1, "start-up reconcile of extra in the gate");
        gate.Release(1);
        await h.WaitForIdleAsync("extra waits for its retry", application: "extra");

        var manual = h.Controller.ReconcileAsync("extra", CancellationToken.None);
        await WaitUntilAsync(() => gate.Entered == 2, "manual reconcile in the gate");

        memory.Set(Gated() with { Interval = TimeSpan.FromMinutes(7) });
        gate.Release(1);
        await manual.WaitAsync(TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => gate.Entered == 3, "the replacement's first reconcile ran after the manual one");

        var max = gate.MaxConcurrent;
        gate.Release(10);
        await h.HostedService.StopAsync(default);
        max.Should().Be(1, "two reconcilers of the same application must never run at the same time");
    }

    [Fact]
    public async Task ManualReconcileOfTheNewDefinition_WaitsForTheOldRunThatIgnoresCancellation()
    {
        var gate = new CountingGate { IgnoreCancellation = true };
        var memory = new InMemoryApplicationSource([Gated()]);
        await using var h = Create(builder: b => b.AddApplicationSource(memory).AddSourceProvider(gate));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => gate.Entered == 1, "start-up reconcile of extra in the gate");

        memory.Set(Gated() with { Interval = TimeSpan.FromMinutes(7) });
        var manual = h.Controller.ReconcileAsync("extra", CancellationToken.None);
        gate.Release(1);
        await WaitUntilAsync(() => gate.Entered == 2, "the replacement's manual reconcile ran after the old run");

        var max = gate.MaxConcurrent;
        gate.Release(10);
        await manual.WaitAsync(TimeSpan.FromSeconds(30));
        await h.HostedService.StopAsync(default);
        max.Should().Be(1, "two reconcilers of the same application must never run at the same time");
    }

    [Fact]
    public async Task ChangedDependency_IsNotReadyUntilItsNewDefinitionReconciled()
    {
        var memory = new InMemoryApplicationSource([new ApplicationDefinition
        {
            Name = "db",
            Source = new SourceReference { Url = "memory://db", Ref = "main" },
            Namespace = "shop",
            Interval = TimeSpan.FromMinutes(5),
        }]);
        var gate = new CountingGate();
        await using var h = Create(app: a => a with { DependsOn = ["db"] }, builder: b => b.AddApplicationSource(memory).AddSourceProvider(gate));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        h.Source.Commit("memory://db", Files(("d.yaml", ConfigMap("d", "db"))));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.EventsOf<ReconcileCompleted>().Any(e => e.Application == "shop" && e.Outcome == ReconcileOutcome.Applied), "shop applied once db was ready");
        await h.WaitForIdleAsync("db idle", application: "db");

        // db moves to a source that blocks: its new definition has not been reconciled at all.
        memory.Set(memory.Applications[0] with { Source = new SourceReference { Url = GateUrl, Ref = "main" } });
        await WaitUntilAsync(() => gate.Entered == 1, "db's new definition is in its first reconcile");
        var controller = (GitOpsController)h.Controller;
        var shop = controller.Runtimes.Single(r => r.Name == "shop");
        var waiting = controller.WaitingFor(shop);
        gate.Release(10);
        await h.HostedService.StopAsync(default);
        waiting.Should().NotBeEmpty("db has not reconciled its new definition yet");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RemovedThenAddedAgain_TheNewLoopWaitsForTheRemovedOnesRun(bool ignoreCancellation)
    {
        var gate = new CountingGate { IgnoreCancellation = ignoreCancellation };
        var memory = new InMemoryApplicationSource([Gated()]);
        await using var h = Create(builder: b => b.AddApplicationSource(memory).AddSourceProvider(gate));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => gate.Entered == 1, "start-up reconcile of extra in the gate");

        memory.Remove("extra");
        memory.Set(Gated());
        gate.Release(1);
        await WaitUntilAsync(() => gate.Entered == 2, "re-added application's reconcile in the gate");

        var max = gate.MaxConcurrent;
        gate.Release(10);
        await h.HostedService.StopAsync(default);
        max.Should().Be(1, "two reconcilers of the same application must never run at the same time");
    }

    [Fact]
    public async Task ChangedDuringARun_TheOldRunsEndIsInTheStatusThatCarriesOn()
    {
        var gate = new CountingGate();
        var memory = new InMemoryApplicationSource([Gated()]);
        await using var h = Create(builder: b => b.AddApplicationSource(memory).AddSourceProvider(gate));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => gate.Entered == 1, "start-up reconcile of extra in the gate");
        var old = h.RuntimeOf("extra");

        memory.Set(Gated() with { Suspended = true });
        await old.Loop.WaitAsync(TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => old.Reconciler.Status.History.Length == 1, "the old run ended (cancelled)");
        await WaitUntilAsync(() => h.Controller.GetStatus("extra")!.History.Length == 1, "the new loop took the old run's status");

        var status = h.Controller.GetStatus("extra")!;
        gate.Release(10);
        await h.HostedService.StopAsync(default);
        status.History.Should().HaveCount(1, "the cancelled run is part of the history that carries on");
        status.GetCondition(ConditionTypes.Reconciling)!.Status.Should().Be(ConditionStatus.False, "nothing reconciles: the old run ended and the new definition is suspended");
    }

    [Fact]
    public async Task NameListedTwiceByOneSource_RunsOnceTheSourceListsItOnce()
    {
        var memory = new InMemoryApplicationSource();
        await using var h = Create(builder: b => b.AddApplicationSource(memory));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.HostedService.StartAsync(default);

        memory.Replace([Gated() with { MinRetryDelay = TimeSpan.Zero }, Gated()]);
        h.Controller.Applications.Should().Equal("shop");
        memory.Replace([Gated()]); // fixed: one valid definition

        var refusals = h.EventsOf<ApplicationRefused>().Select(r => string.Join("; ", r.Reasons)).ToList();
        await h.HostedService.StopAsync(default);
        h.Controller.Applications.Should().Contain("extra", "the only definition now offered is valid; refusals: " + string.Join(" || ", refusals));
    }

    [Fact]
    public async Task DefinitionWithoutAName_IsRefusedOnItsOwn_AndOtherSourcesGoOn()
    {
        var memory = new InMemoryApplicationSource();
        var other = new InMemoryApplicationSource(name: "other");
        await using var h = Create(builder: b => b.AddApplicationSource(memory).AddApplicationSource(other));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.HostedService.StartAsync(default);

        Exception? thrown = null;
        try { memory.Set(Gated() with { Name = null! }); } catch (Exception ex) { thrown = ex; }
        try { other.Set(Gated()); } catch (Exception ex) { thrown ??= ex; }

        var apps = h.Controller.Applications;
        var refused = h.EventsOf<ApplicationRefused>().Count;
        await h.HostedService.StopAsync(default);
        thrown.Should().BeNull();
        refused.Should().Be(1, "the nameless definition is refused on its own");
        apps.Should().Contain("extra", "the other source's application is not touched");
    }

    // Disposing the controller (container shutdown) while a source's change callback runs on another thread: disposing
    // the registration waits for the running callback, so it must not happen under the lock the callback needs.
    [Fact]
    public async Task DisposeDuringASourceCallback_BothFinish()
    {
        var source = new SlowSource();
        var h = Create(builder: b => b.AddApplicationSource(source)); // not disposed: its dispose would hang on the deadlock
        var controller = (GitOpsController)h.Controller;

        var fire = Task.Run(source.Fire);                 // callback thread: OnSourceChanged -> GetSnapshot blocks
        source.InSnapshot.Wait(TimeSpan.FromSeconds(10)).Should().BeTrue();
        var dispose = Task.Run(controller.Dispose);       // takes the catalog lock, disposes the running registration
        await Task.Delay(300);
        source.Continue.Set();                            // callback now needs the catalog lock

        var finished = await Task.WhenAny(Task.WhenAll(fire, dispose), Task.Delay(TimeSpan.FromSeconds(5)));
        finished.Should().NotBeOfType<Task<Task>>();
        (fire.IsCompleted && dispose.IsCompleted).Should().BeTrue("dispose and the source callback must both finish");
    }

    private sealed class SlowSource : IApplicationSource
    {
        private CancellationTokenSource _cts = new();
        private int _reads;
        public ManualResetEventSlim InSnapshot { get; } = new();
        public ManualResetEventSlim Continue { get; } = new();
        public string Name => "slow";
        public ApplicationSnapshot GetSnapshot()
        {
            if (Interlocked.Increment(ref _reads) > 1)
            {
                InSnapshot.Set();
                Continue.Wait();
            }
            return new ApplicationSnapshot([], new Microsoft.Extensions.Primitives.CancellationChangeToken(_cts.Token));
        }
        public void Fire()
        {
            var previous = _cts;
            _cts = new CancellationTokenSource();
            previous.Cancel();
        }
    }

    private sealed class CountingGate : ISourceProvider
    {
        private readonly SemaphoreSlim _release = new(0);
        private int _entered;
        private int _current;
        private int _max;

        public bool IgnoreCancellation { get; init; }

        public int Entered => Volatile.Read(ref _entered);

        public int MaxConcurrent => Volatile.Read(ref _max);

        public void Release(int n) => _release.Release(n);

        public bool CanHandle(SourceReference source) => source.Url == GateUrl;

        public async ValueTask<SourceRevision> ResolveAsync(SourceReference source, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _current);
            int seen;
            while ((seen = Volatile.Read(ref _max)) < now && Interlocked.CompareExchange(ref _max, now, seen) != seen)
            {
            }

            Interlocked.Increment(ref _entered);
            try
            {
                await _release.WaitAsync(IgnoreCancellation ? CancellationToken.None : cancellationToken);
                throw new SourceException($"{source}: gate") { Kind = SourceErrorKind.Unreachable };
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
