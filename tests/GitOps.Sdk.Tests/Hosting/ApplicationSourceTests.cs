using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.Tests.Reconciliation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static GitOps.Sdk.Tests.Reconciliation.PipelineHarness;

namespace GitOps.Sdk.Tests.Hosting;

/// <summary>Applications added, changed and removed while the host runs, through an <see cref="InMemoryApplicationSource"/>.</summary>
public sealed class ApplicationSourceTests
{
    private const string ExtraUrl = "memory://extra";

    [Fact]
    public async Task Added_WhileRunning_StartsItsLoopAndReconciles()
    {
        var memory = new InMemoryApplicationSource();
        await using var h = Create(builder: b => b.AddApplicationSource(memory));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        h.Source.Commit(ExtraUrl, Files(("b.yaml", ConfigMap("b", "extra"))));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 1, "the start-up reconcile of shop finished");
        h.Controller.Applications.Should().Equal("shop");

        memory.Set(Extra());

        h.Controller.Applications.Should().Equal("shop", "extra");
        h.Controller.GetDefinition("extra").Should().Be(Extra());
        h.EventsOf<ApplicationAdded>().Should().ContainSingle().Which.Should().BeEquivalentTo(new { Application = "extra", Source = "in-memory" });
        await WaitUntilAsync(() => h.EventsOf<ReconcileCompleted>().Any(e => e.Application == "extra"), "the added application's reconcile completed");
        h.Value("b").Should().Be("extra");
        var completed = h.EventsOf<ReconcileCompleted>().Single(e => e.Application == "extra");
        completed.Trigger.Should().Be(ReconcileTrigger.ApplicationChanged);
        completed.Outcome.Should().Be(ReconcileOutcome.Applied);
        await h.WaitForIdleAsync("the added application's loop waits for its interval", application: "extra");
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task Changed_WhileRunning_RestartsItsLoopWithTheNewDefinition_StatusCarriesOn()
    {
        var memory = new InMemoryApplicationSource([Extra()]);
        await using var h = Create(builder: b => b.AddApplicationSource(memory));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        h.Source.Commit(ExtraUrl, Files(("b.yaml", ConfigMap("b", "extra"))));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 2, "both start-up reconciles finished");
        var before = h.RuntimeOf("extra");
        await h.WaitForIdleAsync("extra waits for its interval", application: "extra");

        var changed = Extra() with { CommonLabels = Extra().CommonLabels.Add("team", "blue") };
        memory.Set(changed);

        h.EventsOf<ApplicationChanged>().Should().ContainSingle().Which.Application.Should().Be("extra");
        h.Controller.GetDefinition("extra").Should().Be(changed);
        h.RuntimeOf("extra").Should().NotBeSameAs(before);
        await before.Loop.WaitAsync(TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => h.EventsOf<ReconcileCompleted>().Count(e => e.Application == "extra") == 2, "the new definition reconciled");
        Label(h, "b", "team").Should().Be("blue", "the new definition's label was applied");
        var runs = h.EventsOf<ReconcileCompleted>().Where(e => e.Application == "extra").ToList();
        runs.Should().HaveCount(2);
        runs[1].Trigger.Should().Be(ReconcileTrigger.ApplicationChanged);
        await WaitUntilAsync(() => h.Controller.GetStatus("extra")!.History.Length == 2, "the status history carries on");
        Label(h, "a", "team").Should().BeNull("the other application is untouched");

        // An equal definition (a new instance with the same settings) changes nothing.
        memory.Set(changed with { });
        h.EventsOf<ApplicationChanged>().Should().ContainSingle();
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task Removed_WhileRunning_StopsItsLoop_AndLeavesItsObjectsAndInventory()
    {
        var memory = new InMemoryApplicationSource([Extra()]);
        await using var h = Create(builder: b => b.AddApplicationSource(memory));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        h.Source.Commit(ExtraUrl, Files(("b.yaml", ConfigMap("b", "extra"))));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 2, "both start-up reconciles finished");
        var runtime = h.RuntimeOf("extra");

        memory.Remove("extra").Should().BeTrue();

        h.Controller.Applications.Should().Equal("shop");
        h.Controller.GetStatus("extra").Should().BeNull();
        h.Controller.GetDefinition("extra").Should().BeNull();
        h.Controller.RequestReconcile("extra").Should().BeFalse();
        await h.Controller.Invoking(c => c.ReconcileAsync("extra", default)).Should().ThrowAsync<KeyNotFoundException>();
        h.EventsOf<ApplicationRemoved>().Should().ContainSingle().Which.Should().BeEquivalentTo(new { Application = "extra", Source = "in-memory" });
        await runtime.Loop.WaitAsync(TimeSpan.FromSeconds(30));
        h.Value("b").Should().Be("extra", "removing an application never prunes its objects");
        (await h.Inventory.GetAsync("extra", default)).Should().NotBeNull("the inventory stays, so the objects stay owned");
        h.EventsOf<Pruned>().Should().BeEmpty();
        memory.Remove("extra").Should().BeFalse();
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task NameOfferedByTwoSources_RefusedFromTheLaterOne_FirstKeepsRunning()
    {
        var memory = new InMemoryApplicationSource();
        await using var h = Create(builder: b => b.AddApplicationSource(memory));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 1, "the start-up reconcile finished");
        var running = h.Controller.GetDefinition("shop");

        memory.Set(Extra() with { Name = "shop" });

        var refused = h.EventsOf<ApplicationRefused>().Should().ContainSingle().Subject;
        refused.Should().BeEquivalentTo(new { Application = "shop", Source = "in-memory", OtherSource = "options", KeptPrevious = false });
        refused.Reasons.Should().ContainSingle().Which.Should().Contain("source 'options' provides an application named 'shop' too and takes precedence");
        h.Controller.GetDefinition("shop").Should().BeSameAs(running);
        h.EventsOf<ApplicationChanged>().Should().BeEmpty();

        // The same refusal is not reported again on an unrelated change; the first source keeps the name.
        memory.Set(Extra());
        h.EventsOf<ApplicationRefused>().Should().ContainSingle();
        h.Controller.Applications.Should().Equal("shop", "extra");
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task NameOfferedByTwoSourcesAtOnce_TheOneRegisteredFirstRunsIt_AndTheNameNeverMovesToTheRefusedSource()
    {
        var first = new InMemoryApplicationSource([Extra() with { Namespace = "first" }], name: "first");
        var second = new InMemoryApplicationSource([Extra() with { Namespace = "second" }], name: "second");
        var logs = new CapturingLoggerProvider();
        await using var h = Create(
            builder: b => b.AddApplicationSource(first).AddApplicationSource(second),
            services: s => s.AddLogging(l => l.AddProvider(logs)));

        // Decided when the controller is built, before anyone subscribes to events: the refusal is in the log.
        h.Controller.GetDefinition("extra")!.Namespace.Should().Be("first");
        logs.Lines.Should().ContainSingle(l => l.Contains("Error: Application extra from source second refused: source 'first' provides an application named 'extra' too and takes precedence", StringComparison.Ordinal)
            && l.Contains("rename one of them. It does not run.", StringComparison.Ordinal));

        // The first keeps it while it offers it.
        second.Set(Extra() with { Namespace = "second", Interval = TimeSpan.FromMinutes(9) });
        h.Controller.GetDefinition("extra")!.Namespace.Should().Be("first");

        // When the first drops it, the name stops: the refused definition of the second never takes over on its own (its
        // first reconcile would prune what the first applied, since the name is the owner in the cluster).
        first.Remove("extra");
        h.Controller.GetDefinition("extra").Should().BeNull();
        h.EventsOf<ApplicationRemoved>().Should().ContainSingle().Which.Source.Should().Be("first");
        h.EventsOf<ApplicationChanged>().Should().BeEmpty();
        h.EventsOf<ApplicationAdded>().Should().BeEmpty();
        var refused = h.EventsOf<ApplicationRefused>().Should().ContainSingle().Subject;
        refused.Should().BeEquivalentTo(new { Application = "extra", Source = "second", OtherSource = "first", KeptPrevious = false });
        refused.Reasons.Should().ContainSingle().Which.Should().Contain("a name does not move between sources while the host runs");

        // The first offering it again runs it again; the second stays refused.
        first.Set(Extra() with { Namespace = "first" });
        h.Controller.GetDefinition("extra")!.Namespace.Should().Be("first");
        first.Remove("extra");
        h.Controller.GetDefinition("extra").Should().BeNull();

        // Removing it from the second and adding it again is the explicit hand-over.
        second.Remove("extra");
        second.Set(Extra() with { Namespace = "second" });
        h.Controller.GetDefinition("extra")!.Namespace.Should().Be("second");
        h.EventsOf<ApplicationAdded>().Select(e => e.Source).Should().Equal("first", "second");
        h.EventsOf<ApplicationRefused>().Should().OnlyContain(e => e.Source == "second").And.HaveCount(3, "each change of the reason is reported: stopped, first again, stopped again");
    }

    [Fact]
    public async Task InvalidDefinition_RefusedOnItsOwn_RunningApplicationKeepsItsPreviousDefinition()
    {
        var memory = new InMemoryApplicationSource([Extra()]);
        await using var h = Create(builder: b => b.AddApplicationSource(memory));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        h.Source.Commit(ExtraUrl, Files(("b.yaml", ConfigMap("b", "extra"))));
        await h.HostedService.StartAsync(default);
        await WaitUntilAsync(() => h.Completed == 2, "both start-up reconciles finished");
        var runtime = h.RuntimeOf("extra");

        memory.Replace([Extra() with { Interval = TimeSpan.Zero }, Extra() with { Name = "Not_A_Label" }]);

        var refusals = h.EventsOf<ApplicationRefused>();
        refusals.Should().HaveCount(2);
        refusals[0].Should().BeEquivalentTo(new { Application = "extra", Source = "in-memory", KeptPrevious = true });
        refusals[0].Reasons.Should().ContainSingle().Which.Should().Contain("'extra': Interval must be positive");
        refusals[1].Should().BeEquivalentTo(new { Application = "Not_A_Label", KeptPrevious = false });
        refusals[1].Reasons.Should().Contain(r => r.Contains("Name must be a DNS label", StringComparison.Ordinal));
        h.Controller.Applications.Should().Equal("shop", "extra");
        h.Controller.GetDefinition("extra").Should().Be(Extra());
        h.RuntimeOf("extra").Should().BeSameAs(runtime, "the running loop is not restarted for a refused change");
        h.EventsOf<ApplicationChanged>().Should().BeEmpty();
        h.EventsOf<ApplicationAdded>().Should().BeEmpty();
        await h.HostedService.StopAsync(default);
    }

    [Fact]
    public async Task AddedBeforeTheSchedulerStarts_GetsItsLoopWhenItStarts()
    {
        var memory = new InMemoryApplicationSource();
        await using var h = Create(builder: b => b.AddApplicationSource(memory));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        h.Source.Commit(ExtraUrl, Files(("b.yaml", ConfigMap("b", "extra"))));
        h.Controller.Applications.Should().Equal("shop");

        memory.Set(Extra());
        await h.HostedService.StartAsync(default);

        await WaitUntilAsync(() => h.Value("b") == "extra" && h.Value("a") == "hello", "both applications reconciled");
        h.Controller.GetDefinitions().Select(d => d.Name).Should().Equal("shop", "extra");
        await h.HostedService.StopAsync(default);
    }

    private static ApplicationDefinition Extra() => new()
    {
        Name = "extra",
        Source = new SourceReference { Url = ExtraUrl, Ref = "main" },
        Namespace = "shop",
        Interval = TimeSpan.FromMinutes(5),
    };

    private static string? Label(PipelineHarness h, string configMap, string label) =>
        h.Cluster.Find(ConfigMapKey(configMap)) is { } cm
        && cm.Json.GetProperty("metadata").TryGetProperty("labels", out var labels)
        && labels.TryGetProperty(label, out var value)
            ? value.GetString()
            : null;
}
