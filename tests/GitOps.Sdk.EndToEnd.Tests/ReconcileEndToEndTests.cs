using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>The whole engine: a git daemon, the Git source, the render stage, the Kubernetes target over HTTP, the API emulator.</summary>
public sealed class ReconcileEndToEndTests
{
    [Fact]
    public async Task FirstSync_CreatesEverything()
    {
        await using var env = await EndToEndEnvironment.CreateAsync();
        var head = await env.Repo.HeadAsync();

        await env.StartAsync();

        var first = env.Completed[0];
        first.Outcome.Should().Be(ReconcileOutcome.Applied, env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);
        first.Revision.Should().Be($"main@sha1:{head}");
        env.Exists("v1", "Namespace", "demo", null).Should().BeTrue();
        env.Exists("apps/v1", "Deployment", "web").Should().BeTrue();
        env.Exists("v1", "Service", "web").Should().BeTrue();
        env.ConfigValue().Should().Be("Hello from Git");
        var deployment = env.Api.Get("apps/v1", "Deployment", "demo", "web")!;
        ((string?)deployment["metadata"]!["labels"]![WellKnown.ApplicationLabel]).Should().Be(EndToEndEnvironment.App);
        var status = env.Controller.GetStatus(EndToEndEnvironment.App)!;
        status.LastAppliedRevision.Should().Be($"main@sha1:{head}");
        status.Is(ConditionTypes.Ready).Should().BeTrue();
        status.Objects.Should().HaveCount(4).And.OnlyContain(o => o.Sync == SyncStatus.Synced);

        // The inventory lives in the cluster, so another process (or a restart) knows what to prune.
        var inventory = await env.Host.Services.GetRequiredService<IInventoryStore>().GetAsync(EndToEndEnvironment.App, default);
        inventory!.Entries.Should().HaveCount(4);
        inventory.Revision.Should().Be($"main@sha1:{head}");
    }

    [Fact]
    public async Task CommitChangesValue_Applied_AndFileRemoved_Pruned()
    {
        await using var env = await EndToEndEnvironment.CreateAsync();
        await env.StartAsync();

        env.Repo.Write("deploy/configmap.yaml", File.ReadAllText(Path.Combine(env.Repo.WorkTree, "deploy", "configmap.yaml")).Replace("Hello from Git", "Hello again", StringComparison.Ordinal));
        var changed = await env.PushAsync("change greeting");

        env.ConfigValue().Should().Be("Hello again");
        env.Completed[^1].Outcome.Should().Be(ReconcileOutcome.Applied);
        env.Completed[^1].Trigger.Should().Be(ReconcileTrigger.SourceChanged);
        env.EventsOf<DriftDetected>().Should().BeEmpty("a commit is a change, not drift");

        env.Repo.Delete("deploy/service.yaml");
        var removed = await env.PushAsync("remove the service");

        env.Exists("v1", "Service", "web").Should().BeFalse();
        env.Exists("apps/v1", "Deployment", "web").Should().BeTrue();
        env.EventsOf<Pruned>().Should().ContainSingle().Which.Objects.Should().Equal(new ResourceKey(string.Empty, "Service", "demo", "web"));
        var status = env.Controller.GetStatus(EndToEndEnvironment.App)!;
        status.LastAppliedRevision.Should().Be($"main@sha1:{removed}");
        status.History.Select(h => h.Revision).Should().StartWith([$"main@sha1:{removed}", $"main@sha1:{changed}"]);
    }

    [Fact]
    public async Task ObjectDeletedByAnotherActor_RecreatedByWatchTrigger()
    {
        await using var env = await EndToEndEnvironment.CreateAsync();
        await env.StartAsync();

        (await env.Api.DeleteAsync("v1", "Service", "demo", "web")).Should().BeTrue();
        await EndToEndEnvironment.WaitUntilAsync(
            () => env.Exists("v1", "Service", "web") && env.Completed.Count(c => c.Outcome == ReconcileOutcome.Applied) >= 2,
            "the deleted Service was recreated");

        var recreate = env.Completed.Last(c => c.Outcome == ReconcileOutcome.Applied);
        recreate.Trigger.Should().Be(ReconcileTrigger.LiveChange, "the interval is an hour: only the watch event can have triggered it");
        var drift = env.EventsOf<DriftDetected>().Should().ContainSingle().Subject;
        drift.Objects.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Key = new ResourceKey(string.Empty, "Service", "demo", "web"), Action = DiffAction.Create });
    }

    [Fact]
    public async Task FieldChangedByAnotherActor_RevertedAndAttributed()
    {
        await using var env = await EndToEndEnvironment.CreateAsync();
        await env.StartAsync();

        await env.Api.MutateAsync("v1", "ConfigMap", "demo", "web-settings", o => o["data"]!["GREETING"] = "defaced", manager: "kubectl-edit");
        await EndToEndEnvironment.WaitUntilAsync(() => env.EventsOf<DriftDetected>().Count >= 1 && env.ConfigValue() == "Hello from Git", "the edited field was reverted");

        var drift = env.EventsOf<DriftDetected>()[0];
        var change = drift.Objects.Should().ContainSingle().Subject.Changes.Should().ContainSingle().Subject;
        change.Path.Should().Be("/data/GREETING");
        change.LiveValue.Should().Contain("defaced");
        change.Attribution!.Manager.Should().Be("kubectl-edit");
        var status = env.Controller.GetStatus(EndToEndEnvironment.App)!;
        await EndToEndEnvironment.WaitUntilAsync(() => env.Controller.GetStatus(EndToEndEnvironment.App)!.LastDrift is not null, "status shows the drift");
        status = env.Controller.GetStatus(EndToEndEnvironment.App)!;
        status.LastDrift!.Corrected.Should().BeTrue();
        status.LastDrift.Objects[0].ToString().Should().Contain("kubectl-edit");
    }

    [Fact]
    public async Task BadCommit_ChangesNothing_StatusSaysWhy_NextGoodCommitRecovers()
    {
        await using var env = await EndToEndEnvironment.CreateAsync();
        await env.StartAsync();
        var good = env.Controller.GetStatus(EndToEndEnvironment.App)!.LastAppliedRevision;

        env.Repo.Write("deploy/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-settings\ndata:\n  GREETING: \"changed\"\n");
        env.Repo.Write("deploy/broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n  name: twice\n");
        var bad = await env.PushAsync("a bad commit");

        var failed = env.Completed[^1];
        failed.Outcome.Should().Be(ReconcileOutcome.Failed);
        env.ConfigValue().Should().Be("Hello from Git", "nothing from a bad revision is applied");
        env.Exists("v1", "Service", "web").Should().BeTrue("nothing is pruned after a failed render");
        var status = env.Controller.GetStatus(EndToEndEnvironment.App)!;
        status.LastAppliedRevision.Should().Be(good);
        status.LastAttemptedRevision.Should().Be($"main@sha1:{bad}");
        status.LastErrorStage.Should().Be(ReconcileStage.Render);
        status.LastError.Should().Contain(EndToEndEnvironment.App).And.Contain(bad).And.Contain("broken.yaml");
        status.Is(ConditionTypes.Ready).Should().BeFalse();
        status.Is(ConditionTypes.Stalled).Should().BeTrue();

        env.Repo.Delete("deploy/broken.yaml");
        var fixedSha = await env.PushAsync("fix the bad commit");

        env.Completed[^1].Outcome.Should().Be(ReconcileOutcome.Applied);
        env.ConfigValue().Should().Be("changed");
        status = env.Controller.GetStatus(EndToEndEnvironment.App)!;
        status.LastAppliedRevision.Should().Be($"main@sha1:{fixedSha}");
        status.Is(ConditionTypes.Ready).Should().BeTrue();
        status.LastError.Should().BeNull();
    }

    [Fact]
    public async Task DetectOnly_ReportsWithoutChanging()
    {
        await using var env = await EndToEndEnvironment.CreateAsync(app: a => a with { Mode = ReconcileMode.DetectOnly });

        await env.StartAsync();

        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.OutOfSync);
        env.Exists("apps/v1", "Deployment", "web").Should().BeFalse();
        env.Exists("v1", "Namespace", "demo", null).Should().BeFalse();
        var status = env.Controller.GetStatus(EndToEndEnvironment.App)!;
        status.Is(ConditionTypes.Drifted).Should().BeTrue();
        status.Objects.Should().HaveCount(4).And.OnlyContain(o => o.Sync == SyncStatus.OutOfSync && o.Health.Status == HealthStatus.Missing);
        (await env.Host.Services.GetRequiredService<IInventoryStore>().GetAsync(EndToEndEnvironment.App, default)).Should().BeNull();
    }

    [Fact]
    public async Task ApprovalPolicy_HoldsPruneUntilApproved()
    {
        await using var env = await EndToEndEnvironment.CreateAsync(builder: b => b.AddApprovalPolicy(new HoldDestructiveStepsPolicy()));
        await env.StartAsync();

        env.Repo.Delete("deploy/service.yaml");
        await env.PushAsync("remove the service");

        env.Exists("v1", "Service", "web").Should().BeTrue("the prune waits for approval");
        var held = env.Controller.GetStatus(EndToEndEnvironment.App)!.HeldPlan!;
        held.Steps.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Key = new ResourceKey(string.Empty, "Service", "demo", "web"), Action = PlanAction.Delete });
        env.EventsOf<PlanHeld>().Should().ContainSingle().Which.Plan.Hash.Should().Be(held.Hash);

        env.Controller.Approve(EndToEndEnvironment.App, held.Hash).Should().BeTrue();
        await EndToEndEnvironment.WaitUntilAsync(
            () => !env.Exists("v1", "Service", "web") && env.Completed.Any(c => c.Trigger == ReconcileTrigger.Approval),
            "the approved prune ran and its reconcile completed");

        // The prune is written before the run publishes its completion event: wait for the event too (race seen under load).
        await EndToEndEnvironment.WaitUntilAsync(() => env.Completed.Any(c => c.Trigger == ReconcileTrigger.Approval), "the approval run completed");
        env.Completed[^1].Trigger.Should().Be(ReconcileTrigger.Approval);
        env.Controller.GetStatus(EndToEndEnvironment.App)!.HeldPlan.Should().BeNull();
        env.EventsOf<Pruned>().Should().ContainSingle();
    }
}
