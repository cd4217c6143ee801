using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using GitOps.Sdk.Tests.Reconciliation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using static GitOps.Sdk.Tests.Reconciliation.PipelineHarness;

namespace GitOps.Sdk.Tests.Hosting;

/// <summary><see cref="ApplicationDefinition.DependsOn"/>: "shop" depends on "shop1" (the harness's second application).</summary>
public sealed class DependsOnTests
{
    private const string DependencyUrl = Url + "1";

    [Fact]
    public async Task Dependent_WaitsWhileItsDependencyFails_AndRunsOnceTheDependencyIsSynced()
    {
        await using var h = Create(applications: 2, app: ShopDependsOnShop1);
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        h.Source.Commit(DependencyUrl, Files(("db.yaml", ConfigMap("db", "ready"))));
        h.Source.Fail(DependencyUrl, SourceErrorKind.Unreachable, "connection refused");

        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => Runs(h, "shop1").Count == 1, "the dependency's first reconcile failed");
        await WaitUntilAsync(() => ReadyMessage(h) == "waiting for shop1 (not ready: SourceFailed)", "the dependent re-checked after the failure");
        var waiting = await h.WaitForIdleAsync("the dependent waits");

        var ready = h.Controller.GetStatus("shop")!.GetCondition(ConditionTypes.Ready)!;
        ready.Status.Should().Be(ConditionStatus.False);
        ready.Reason.Should().Be("DependencyNotReady");
        Runs(h, "shop").Should().BeEmpty("nothing of shop reconciles while shop1 fails");
        h.Value("a").Should().BeNull();
        h.EventsOf<DependencyNotReady>().Should().OnlyContain(e => e.Application == "shop" && e.Dependencies.SequenceEqual(new[] { "shop1" }));
        waiting.Until.Should().Be(h.Controller.GetStatus("shop")!.NextReconcileTime, "the fallback re-check is announced");

        // The dependency's retry succeeds: its completion wakes the dependent, long before the dependent's interval.
        var started = h.Time.GetUtcNow();
        h.Source.ClearFailure(DependencyUrl);
        await h.AdvanceUntilAsync(() => Runs(h, "shop1").Count == 2, "the dependency's retry ran", application: "shop1");
        await WaitUntilAsync(() => Runs(h, "shop").Count == 1, "the dependent reconciled");

        var run = Runs(h, "shop").Single();
        run.Trigger.Should().Be(ReconcileTrigger.DependencyReady);
        run.Outcome.Should().Be(ReconcileOutcome.Applied);
        (h.Time.GetUtcNow() - started).Should().BeLessThan(TimeSpan.FromMinutes(1), "woken by the dependency, not by the fallback interval");
        h.Value("a").Should().Be("hello");
        await WaitUntilAsync(() => h.Controller.GetStatus("shop")!.Is(ConditionTypes.Ready), "the dependent is Ready");
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task Dependent_WaitsWhileItsDependencyIsUnhealthy()
    {
        var health = new SwitchableHealth { Db = HealthStatus.Progressing };
        await using var h = Create(applications: 2, app: ShopDependsOnShop1, builder: b => b.AddHealthAssessor(health));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        h.Source.Commit(DependencyUrl, Files(("db.yaml", ConfigMap("db", "ready"))));

        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => Runs(h, "shop1").Count == 1, "the dependency applied");
        Runs(h, "shop1")[0].Outcome.Should().Be(ReconcileOutcome.Applied);
        await WaitUntilAsync(() => ReadyMessage(h) == "waiting for shop1 (Progressing)", "the dependent says it waits for the dependency's health");
        await h.WaitForIdleAsync("the dependency waits for its interval", application: "shop1");
        var first = await h.WaitForIdleAsync("the dependent waits");
        Runs(h, "shop").Should().BeEmpty("synced but not healthy is not ready");

        // Still unhealthy after another reconcile of the dependency: the dependent checks again and keeps waiting.
        h.Controller.RequestReconcile("shop1").Should().BeTrue();
        await WaitUntilAsync(() => Runs(h, "shop1").Count == 2, "the dependency reconciled again");
        await h.WaitForIdleAsync("the dependent checked again and waits", after: first.Sequence);
        Runs(h, "shop").Should().BeEmpty();
        h.EventsOf<DependencyNotReady>().Count(e => e.Message == "waiting for shop1 (Progressing)").Should().Be(1, "the same wait is published once");

        health.Db = HealthStatus.Healthy;
        h.Controller.RequestReconcile("shop1").Should().BeTrue();
        await WaitUntilAsync(() => Runs(h, "shop").Count == 1, "the dependent reconciled once the dependency is healthy");
        Runs(h, "shop")[0].Trigger.Should().Be(ReconcileTrigger.DependencyReady);
        h.Value("a").Should().Be("hello");
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task AfterAWait_AnUnchangedRevisionIsReconciledInFull_SoTheStatusNoLongerSaysItWaits()
    {
        await using var h = Create(applications: 2, app: ShopDependsOnShop1);
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        h.Source.Commit(DependencyUrl, Files(("db.yaml", ConfigMap("db", "ready"))));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => Runs(h, "shop").Count == 1, "the dependent synced once");
        await h.WaitForIdleAsync("shop waits for its interval");

        // A webhook for shop (an unchanged revision) arrives while its dependency is suspended: shop waits.
        h.Controller.Suspend("shop1").Should().BeTrue();
        h.Controller.NotifySourceChanged(Url).Should().Be(1);
        await WaitUntilAsync(() => ReadyMessage(h) == "waiting for shop1 (suspended)", "shop waits for the suspended dependency");
        await h.WaitForIdleAsync("shop waits");
        Runs(h, "shop").Should().ContainSingle();

        h.Controller.Resume("shop1").Should().BeTrue();

        await WaitUntilAsync(() => Runs(h, "shop").Count == 2, "shop reconciled after its dependency was resumed and reconciled");
        var run = Runs(h, "shop")[1];
        run.Trigger.Should().Be(ReconcileTrigger.DependencyReady, "a source-changed trigger may skip an unchanged revision, which would leave Ready saying it waits");
        run.Outcome.Should().Be(ReconcileOutcome.Synced);
        await WaitUntilAsync(() => h.Controller.GetStatus("shop")!.Is(ConditionTypes.Ready), "shop is Ready again");
        h.Controller.GetStatus("shop")!.GetCondition(ConditionTypes.Ready)!.Reason.Should().Be("ReconciliationSucceeded");
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task Dependent_WaitsWhileItsDependencyIsSuspended_AndReconcileAsyncRefusesIt()
    {
        await using var h = Create(applications: 2, app: ShopDependsOnShop1);
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        h.Source.Commit(DependencyUrl, Files(("db.yaml", ConfigMap("db", "ready"))));
        (await h.Controller.ReconcileAsync("shop1", default)).Outcome.Should().Be(ReconcileOutcome.Applied);
        h.Controller.Suspend("shop1").Should().BeTrue();

        var direct = () => h.Controller.ReconcileAsync("shop", default);

        (await direct.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Be("GitOps application 'shop' is not reconciled: it is waiting for shop1 (suspended).");
        h.Controller.Resume("shop1").Should().BeTrue();
        (await h.Controller.ReconcileAsync("shop", default)).Outcome.Should().Be(ReconcileOutcome.Applied, "a ready dependency lets it run");
    }

    [Fact]
    public async Task UnknownDependency_WithAnotherApplicationSource_WaitsUntilTheSourceAddsIt()
    {
        var memory = new InMemoryApplicationSource();
        await using var h = Create(app: a => a with { DependsOn = ["later"] }, builder: b => b.AddApplicationSource(memory));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        h.Source.Commit("memory://later", Files(("db.yaml", ConfigMap("db", "ready"))));

        await h.HostedService.StartAsync(default);
        await h.WaitForIdleAsync("the dependent waits");
        ReadyMessage(h).Should().Be("waiting for later (unknown application)");

        memory.Set(new ApplicationDefinition { Name = "later", Source = new SourceReference { Url = "memory://later", Ref = "main" }, Namespace = "shop" });

        await WaitUntilAsync(() => Runs(h, "shop").Count == 1, "the dependent reconciled after the added application");
        Runs(h, "later").Should().ContainSingle().Which.Outcome.Should().Be(ReconcileOutcome.Applied);
        Runs(h, "shop")[0].Trigger.Should().Be(ReconcileTrigger.DependencyReady);
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task DependencyRemovedWhileAnApplicationWaitsForIt_TheStatusSaysSoAtOnce()
    {
        var memory = new InMemoryApplicationSource();
        await using var h = Create(app: a => a with { DependsOn = ["later"] }, builder: b => b.AddApplicationSource(memory));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        h.Source.Commit("memory://later", Files(("db.yaml", ConfigMap("db", "ready"))));
        h.Source.Fail("memory://later", SourceErrorKind.Unreachable, "connection refused");
        memory.Set(new ApplicationDefinition { Name = "later", Source = new SourceReference { Url = "memory://later", Ref = "main" }, Namespace = "shop" });
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => ReadyMessage(h) == "waiting for later (not ready: SourceFailed)", "shop waits for the failing dependency");
        var waiting = await h.WaitForIdleAsync("shop waits");

        memory.Remove("later").Should().BeTrue();

        h.IsWoken(waiting).Should().BeTrue("the removal wakes the waiting application, no clock needed");
        await WaitUntilAsync(() => ReadyMessage(h) == "waiting for later (unknown application)", "shop says its dependency is gone");
        Runs(h, "shop").Should().BeEmpty();
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task Cycle_AddedAtRunTime_IsRefusedWithItsPath_TheRunningApplicationKeepsRunning()
    {
        var memory = new InMemoryApplicationSource();
        await using var h = Create(app: a => a with { DependsOn = ["extra"] }, builder: b => b.AddApplicationSource(memory));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.HostedService.StartAsync(default);
        await h.WaitForIdleAsync("shop waits for extra");

        memory.Set(new ApplicationDefinition { Name = "extra", Source = new SourceReference { Url = "memory://extra" }, DependsOn = ["shop"] });

        h.Controller.Applications.Should().Equal("shop");
        var refused = h.EventsOf<ApplicationRefused>().Should().ContainSingle().Subject;
        refused.Application.Should().Be("extra");
        refused.Reasons.Should().ContainSingle().Which.Should().StartWith("DependsOn forms a cycle: shop → extra → shop");
        ReadyMessage(h).Should().Be("waiting for extra (unknown application)");

        // Without the cycle it runs; changed back to close the cycle, it is refused and keeps its running definition.
        var extra = new ApplicationDefinition { Name = "extra", Source = new SourceReference { Url = "memory://extra" } };
        memory.Set(extra);
        h.Controller.Applications.Should().Equal("shop", "extra");
        memory.Set(extra with { DependsOn = ["shop"] });
        var kept = h.EventsOf<ApplicationRefused>().Should().HaveCount(2).And.Subject.Last();
        kept.KeptPrevious.Should().BeTrue();
        kept.Reasons.Should().ContainSingle().Which.Should().StartWith("DependsOn forms a cycle: shop → extra → shop");
        h.Controller.GetDefinition("extra").Should().Be(extra);
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task CycleAcrossSourcesAtStartUp_RefusesEveryMember_TheOthersRun()
    {
        var memory = new InMemoryApplicationSource([new ApplicationDefinition { Name = "extra", Source = new SourceReference { Url = "memory://extra" }, DependsOn = ["shop"] }]);
        await using var h = Create(applications: 2, app: a => a.Name == "shop" ? a with { DependsOn = ["extra"] } : a, builder: b => b.AddApplicationSource(memory));
        h.Source.Commit(DependencyUrl, Files(("db.yaml", ConfigMap("db", "ready"))));

        h.Controller.Applications.Should().Equal("shop1");
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => Runs(h, "shop1").Count == 1, "the application outside the cycle reconciled");
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task StartAsync_Cycle_FailsWithOneErrorNamingThePath()
    {
        using var host = HostWith(
            App("web", "api"),
            App("api", "db"),
            App("db", "web"),
            App("cache"));

        var start = () => host.StartAsync();

        var error = (await start.Should().ThrowAsync<GitOpsConfigurationException>()).Which;
        error.Errors.Should().ContainSingle().Which.Should().Contain("DependsOn forms a cycle: web → api → db → web");
    }

    [Fact]
    public async Task StartAsync_UnknownOrInvalidDependency_Fails()
    {
        using var host = HostWith(App("web", "nope"), App("api", "Not_A_Name"), App("self", "self"));

        var start = () => host.StartAsync();

        var error = (await start.Should().ThrowAsync<GitOpsConfigurationException>()).Which;
        error.Errors.Should().Contain(f => f.StartsWith("GitOps application 'web': DependsOn names 'nope', which is not an application", StringComparison.Ordinal));
        error.Errors.Should().Contain(f => f.Contains("'api'", StringComparison.Ordinal) && f.Contains("DependsOn entry 'Not_A_Name' is not an application name", StringComparison.Ordinal));
        error.Errors.Should().Contain(f => f.Contains("DependsOn forms a cycle: self → self", StringComparison.Ordinal));
    }

    [Fact]
    public void Configuration_BindsDependsOn()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GitOps:Applications:db:Source"] = "https://git.example.com/db.git",
            ["GitOps:Applications:cache:Source"] = "https://git.example.com/cache.git",
            ["GitOps:Applications:web:Source"] = "https://git.example.com/web.git",
            ["GitOps:Applications:web:DependsOn:0"] = "db",
            ["GitOps:Applications:web:DependsOn:1"] = "cache",
        }).Build();
        var services = new ServiceCollection();
        services.AddGitOps(configuration);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<GitOpsOptions>>().Value;

        options.Applications.Single(a => a.Name == "web").DependsOn.Should().Equal("db", "cache");
        options.Applications.Single(a => a.Name == "db").DependsOn.Should().BeEmpty();
    }

    private static ApplicationDefinition ShopDependsOnShop1(ApplicationDefinition a) =>
        a.Name == "shop" ? a with { DependsOn = ["shop1"] } : a;

    private static List<ReconcileCompleted> Runs(PipelineHarness h, string application) =>
        [.. h.EventsOf<ReconcileCompleted>().Where(e => e.Application == application)];

    private static string ReadyMessage(PipelineHarness h) => h.Controller.GetStatus("shop")!.GetCondition(ConditionTypes.Ready)!.Message;

    private static ApplicationDefinition App(string name, params string[] dependsOn) =>
        new() { Name = name, Source = new SourceReference { Url = $"memory://{name}" }, DependsOn = [.. dependsOn] };

    private static IHost HostWith(params ApplicationDefinition[] applications)
    {
        var builder = Host.CreateApplicationBuilder();
        var gitops = builder.Services.AddGitOps();
        foreach (var a in applications)
        {
            gitops.AddApplication(a);
        }

        return builder.Build();
    }

    /// <summary>Reports the ConfigMap named <c>db</c> with the health set here; everything else with the built-in rules.</summary>
    private sealed class SwitchableHealth : IHealthAssessor
    {
        private volatile object _db = HealthStatus.Healthy;

        public HealthStatus Db
        {
            get => (HealthStatus)_db;
            set => _db = value;
        }

        public HealthResult? Assess(KubeObject live) => live.Name == "db" ? new HealthResult(Db, $"db is {Db}") : null;
    }
}
