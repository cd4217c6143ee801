using GitOps.Sdk.Events;
using GitOps.Sdk.Git;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Kubernetes;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>
/// Options no other test sets (issue 15, item 7), each observed on the real engine: git daemon, Git source, Kubernetes
/// target over HTTP, the emulator.
/// </summary>
public sealed class OptionsEndToEndTests
{
    private static List<ReconcileCompleted> Manual(EndToEndEnvironment env) =>
        [.. env.Completed.Where(c => c.Trigger == ReconcileTrigger.Manual)];

    private static string ConfigMap(string name, string value = "x") =>
        $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: demo\ndata:\n  k: {value}\n";

    [Fact]
    public async Task ReconcileOnLiveChangeFalse_ObjectDeletedByHand_RecreatedByTheNextIntervalReconcile()
    {
        await using var env = await EndToEndEnvironment.CreateAsync(
            app: a => a with { Interval = TimeSpan.FromSeconds(1) },
            builder: b => b.Services.Configure<GitOpsOptions>(o => o.ReconcileOnLiveChange = false));
        await env.StartAsync();
        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Applied);

        (await env.Api.DeleteAsync("v1", "Service", "demo", "web")).Should().BeTrue();
        await EndToEndEnvironment.WaitUntilAsync(() => env.Exists("v1", "Service", "web"), "an interval reconcile recreated the Service deleted by hand");

        await EndToEndEnvironment.WaitUntilAsync(() => env.Completed.Any(c => c.Outcome == ReconcileOutcome.Applied && c.Trigger != ReconcileTrigger.Startup), "the recreating reconcile completed");
        var recreate = env.Completed.Last(c => c.Outcome == ReconcileOutcome.Applied);
        recreate.Trigger.Should().Be(ReconcileTrigger.Interval, "watch events trigger nothing with ReconcileOnLiveChange off");
        env.Completed.Should().NotContain(c => c.Trigger == ReconcileTrigger.LiveChange);
    }

    [Fact]
    public async Task ForceConflictsFalse_FieldTakenByAnotherManager_ConflictReported_NotOverwritten()
    {
        await using var env = await EndToEndEnvironment.CreateAsync(app: a => a with { ForceConflicts = false });
        await env.StartAsync();

        await env.Api.ApplyAsAsync("platform-team", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-settings\n  namespace: demo\ndata:\n  GREETING: theirs\n");
        await EndToEndEnvironment.WaitUntilAsync(() => env.Completed.Count >= 2, "the watch event triggered a reconcile");

        var run = env.Completed[^1];
        run.Trigger.Should().Be(ReconcileTrigger.LiveChange);
        run.Outcome.Should().Be(ReconcileOutcome.Failed);
        env.ConfigValue().Should().Be("theirs", "without ForceConflicts a field another manager owns is not taken back");
        var status = env.Controller.GetStatus(EndToEndEnvironment.App)!;
        status.LastErrorStage.Should().Be(ReconcileStage.Apply);
        status.LastError.Should().Contain("web-settings").And.Contain("conflict").And.Contain("platform-team");
        var managers = env.Api.Get("v1", "ConfigMap", "demo", "web-settings")!["metadata"]!["managedFields"]!.AsArray()
            .Select(m => (string?)m!["manager"]).ToList();
        managers.Should().Contain("platform-team");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task MaxConcurrency_BoundsTheObjectWritesInFlight(int maxConcurrency)
    {
        var wire = new WireLog();
        await using var env = await EndToEndEnvironment.CreateAsync(builder: b => b.AddKubernetesTarget(o =>
        {
            o.MaxConcurrency = maxConcurrency;
            o.Client = WireLog.Client(o.KubeconfigPath!, wire);
        }));
        for (var i = 0; i < 6; i++)
        {
            env.Repo.Write($"deploy/cm-{i}.yaml", ConfigMap($"cm-{i}"));
        }

        await env.Repo.CommitAndPushAsync("six config maps in one wave");

        // Each write of a ConfigMap takes a while, so writes allowed to run together do overlap.
        var slow = env.Api.Faults.Add(new FaultRule { Verb = "apply", Resource = "configmaps", Namespace = "demo", Delay = TimeSpan.FromMilliseconds(300) });
        await env.StartAsync();

        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Applied, env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);
        slow.Hits.Should().BeGreaterThanOrEqualTo(7, "web-settings and the six new ones were written");
        wire.MaxWritesInFlight.Should().Be(maxConcurrency);
    }

    [Fact]
    public async Task ListPageSize_WatchCacheListsInPagesOfThatSize()
    {
        var wire = new WireLog();
        await using var env = await EndToEndEnvironment.CreateAsync(builder: b => b.AddKubernetesTarget(o =>
        {
            o.ListPageSize = 2;
            o.Client = WireLog.Client(o.KubeconfigPath!, wire);
        }));
        for (var i = 0; i < 6; i++)
        {
            await env.Api.CreateAsync(ConfigMap($"hand-{i}").Replace("namespace: demo", "namespace: default", StringComparison.Ordinal), manager: "kubectl-create");
        }

        await env.StartAsync();

        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Applied, env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);
        var lists = wire.Requests.Where(r => r.StartsWith("GET /api/v1/configmaps?", StringComparison.Ordinal) && !r.Contains("watch=", StringComparison.Ordinal)).ToList();
        lists.Should().NotBeEmpty();
        lists.Should().OnlyContain(r => r.Contains("limit=2", StringComparison.Ordinal));
        lists.Count(r => r.Contains("continue=", StringComparison.Ordinal)).Should().BeGreaterThanOrEqualTo(2, "six ConfigMaps made by hand, in pages of two, take at least three requests: {0}", string.Join("\n", lists));
    }

    [Fact]
    public async Task GitResolveTimeout_RemoteStopsAnswering_RunFailsAfterTheTimeout_NothingAppliedOrPruned()
    {
        // The application reaches its repository through a relay; silencing the relay makes the remote accept the
        // connection and never answer, as a hung server does.
        await using var relay = TcpRelay.Start();
        var timeout = TimeSpan.FromSeconds(2);
        var url = $"git://{relay.Address}/deploy";
        await using var env = await EndToEndEnvironment.CreateAsync(
            app: a => a with { Source = a.Source! with { Url = url } },
            builder: b => b.AddGitSource(o => o.ResolveTimeout = timeout));
        relay.TargetPort = new Uri(env.SourceUrl).Port;
        await env.StartAsync();
        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Applied, env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);

        // A commit that changes a value and removes the Service; the remote hangs before the engine sees it.
        env.Repo.Write("deploy/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-settings\ndata:\n  GREETING: \"unseen\"\n");
        env.Repo.Delete("deploy/service.yaml");
        var sha = await env.Repo.CommitAndPushAsync("change a value, remove the service");
        relay.TargetPort = null;
        env.Controller.RequestReconcile(EndToEndEnvironment.App).Should().BeTrue();
        await EndToEndEnvironment.WaitUntilAsync(() => Manual(env).Count >= 1, "the reconcile against the silent remote finished");

        var run = Manual(env)[0];
        run.Outcome.Should().Be(ReconcileOutcome.Failed);
        // Timers run on the coarse tick count and may fire a few milliseconds before a Stopwatch says the time is up.
        run.Duration.Should().BeGreaterThanOrEqualTo(timeout - TimeSpan.FromMilliseconds(50)).And.BeLessThan(timeout + TimeSpan.FromSeconds(10), "the resolve gives up at its timeout");
        relay.SilentConnections.Should().BePositive("the remote accepted the connection and said nothing");
        var status = env.Controller.GetStatus(EndToEndEnvironment.App)!;
        status.LastErrorStage.Should().Be(ReconcileStage.Source);
        status.LastError.Should().Contain($"application '{EndToEndEnvironment.App}'").And.Contain(url).And.Contain("took longer than");
        env.ConfigValue().Should().Be("Hello from Git", "nothing is applied when the revision cannot be resolved");
        env.Exists("v1", "Service", "web").Should().BeTrue("nothing is pruned when the revision cannot be resolved");
        env.EventsOf<Pruned>().Should().BeEmpty();

        // The remote answers again: the same commit is applied and the Service pruned, so the run above had work to skip.
        relay.TargetPort = new Uri(env.SourceUrl).Port;
        env.Controller.RequestReconcile(EndToEndEnvironment.App).Should().BeTrue();
        await EndToEndEnvironment.WaitUntilAsync(() => Manual(env).Count >= 2, "the reconcile after the remote recovered finished");
        Manual(env)[1].Outcome.Should().Be(ReconcileOutcome.Applied, env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);
        Manual(env)[1].Revision.Should().Contain(sha);
        env.ConfigValue().Should().Be("unseen");
        env.Exists("v1", "Service", "web").Should().BeFalse();
    }
}
