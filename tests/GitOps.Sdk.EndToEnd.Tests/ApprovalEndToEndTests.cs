using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>
/// An approval covers exactly the plan that was shown (issue 15, item 7): a commit that arrives between the hold and the
/// approval is not applied under the old approval. Real git daemon, Git source, Kubernetes target, emulator over HTTP.
/// </summary>
public sealed class ApprovalEndToEndTests
{
    private static string Greeting(string value) =>
        $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-settings\n  namespace: demo\ndata:\n  GREETING: \"{value}\"\n";

    [Fact]
    public async Task NewCommitBetweenHoldAndApprove_OldApprovalAppliesNothing_NewPlanHeldUntilItIsApproved()
    {
        await using var env = await EndToEndEnvironment.CreateAsync(builder: b => b.AddApprovalPolicy(new HoldAllChangesPolicy()));
        env.Repo.Delete("deploy/deployment.yaml");
        env.Repo.Delete("deploy/service.yaml");
        env.Repo.Write("deploy/configmap.yaml", Greeting("v0"));
        await env.Repo.CommitAndPushAsync("a small application");
        await env.StartAsync();
        var first = env.Controller.GetStatus(EndToEndEnvironment.App)!.HeldPlan!;
        env.Controller.Approve(EndToEndEnvironment.App, first.Hash).Should().BeTrue();
        await EndToEndEnvironment.WaitUntilAsync(() => env.ConfigValue() == "v0", "the approved first sync ran");

        // Commit 1 is reconciled and held; the operator looks at it.
        env.Repo.Write("deploy/configmap.yaml", Greeting("v1"));
        var shown = await env.PushAsync("v1");
        var held = env.Controller.GetStatus(EndToEndEnvironment.App)!.HeldPlan!;
        held.Revision.Should().Contain(shown);
        held.Steps.Should().ContainSingle().Which.Changes.Should().Contain(c => c.DesiredValue!.Contains("v1"));

        // Commit 2 lands in the repository before the approval; no webhook tells the engine.
        env.Repo.Write("deploy/configmap.yaml", Greeting("v2-unseen"));
        env.Repo.Write("deploy/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: demo\ndata:\n  k: unseen\n");
        var unseen = await env.Repo.CommitAndPushAsync("v2, never shown to the approver");
        var completedBefore = env.Completed.Count;

        env.Controller.Approve(EndToEndEnvironment.App, held.Hash).Should().BeTrue("the approval names the plan that is shown");
        await EndToEndEnvironment.WaitUntilAsync(() => env.Completed.Count > completedBefore, "the reconcile the approval asked for finished");

        var run = env.Completed[^1];
        run.Trigger.Should().Be(ReconcileTrigger.Approval);
        run.Outcome.Should().Be(ReconcileOutcome.Held, "the approved plan no longer exists: the new one is held again");
        run.Revision.Should().Contain(unseen);
        env.ConfigValue().Should().Be("v0", "neither the approved v1 (out of date) nor the unseen v2 is applied");
        env.Exists("v1", "ConfigMap", "extra").Should().BeFalse("an object of the unseen commit is not created under an old approval");
        var again = env.Controller.GetStatus(EndToEndEnvironment.App)!.HeldPlan!;
        again.Hash.Should().NotBe(held.Hash);
        again.Revision.Should().Contain(unseen);
        again.Steps.Select(s => s.Key.Name).Should().BeEquivalentTo(["web-settings", "extra"]);
        env.Controller.Approve(EndToEndEnvironment.App, held.Hash).Should().BeFalse("the old hash is no longer held");

        env.Controller.Approve(EndToEndEnvironment.App, again.Hash).Should().BeTrue();
        await EndToEndEnvironment.WaitUntilAsync(() => env.ConfigValue() == "v2-unseen" && env.Exists("v1", "ConfigMap", "extra"), "the plan approved as shown was applied");
        await EndToEndEnvironment.WaitUntilAsync(() => env.Controller.GetStatus(EndToEndEnvironment.App)!.HeldPlan is null, "nothing is held any more");
    }

    [Fact]
    public async Task NewCommitReconciledBeforeApprove_OldHashRefused_NothingApplied()
    {
        await using var env = await EndToEndEnvironment.CreateAsync(builder: b => b.AddApprovalPolicy(new HoldDestructiveStepsPolicy()));
        await env.StartAsync();

        env.Repo.Delete("deploy/service.yaml");
        await env.PushAsync("remove the service");
        var held = env.Controller.GetStatus(EndToEndEnvironment.App)!.HeldPlan!;

        // A second commit also removes the deployment; the webhook reconciles it, so the held plan changes under the operator.
        env.Repo.Delete("deploy/deployment.yaml");
        await env.PushAsync("remove the deployment too");
        var now = env.Controller.GetStatus(EndToEndEnvironment.App)!.HeldPlan!;
        now.Hash.Should().NotBe(held.Hash);
        now.Steps.Select(s => s.Key.Kind).Should().BeEquivalentTo(["Service", "Deployment"]);

        env.Controller.Approve(EndToEndEnvironment.App, held.Hash).Should().BeFalse("the approval of a plan no longer held is refused");

        env.Exists("v1", "Service", "web").Should().BeTrue();
        env.Exists("apps/v1", "Deployment", "web").Should().BeTrue();
        env.EventsOf<PlanHeld>().Should().HaveCount(2);
        env.EventsOf<Pruned>().Should().BeEmpty();
    }
}
