using GitOps.Sdk.Planning;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using GitOps.Sdk.Testing.InMemory;
using Microsoft.Extensions.DependencyInjection;
using static GitOps.Sdk.Tests.Reconciliation.PipelineHarness;

namespace GitOps.Sdk.Tests.Reconciliation;

/// <summary>Approval is a filter over the plan the planner made once: held steps become skips naming the approval hash.</summary>
public sealed class ApprovalFilterTests
{
    [Fact]
    public async Task Reconcile_HeldPrune_PlansOnceAndSkipsTheHeldStepWithTheHash()
    {
        var planner = new CountingPlanner();
        await using var h = Create(builder: b => b.AddApprovalPolicy(new HoldDestructiveStepsPolicy()), services: s => s.AddSingleton<IPlanner>(planner));
        h.Commit(("a.yaml", ConfigMap("a", "hello")), ("b.yaml", ConfigMap("b", "world")));
        await h.Controller.ReconcileAsync("shop", default);
        h.Commit(("a.yaml", ConfigMap("a", "changed")));
        planner.Calls = 0;

        var result = await h.Controller.ReconcileAsync("shop", default);

        planner.Calls.Should().Be(1, "the approval filter does not make the plan again");
        var hash = result.Held!.Hash;
        var step = result.Plan!.Steps.Single(s => s.Key == ConfigMapKey("b"));
        step.Action.Should().Be(PlanAction.Skip);
        step.Reason.Should().Contain($"held for approval (hash {hash})");
        h.Writer.Writes.Should().NotContain(w => w.Key == ConfigMapKey("b") && w.Kind == InMemoryWriteKind.Delete, "a held step is never executed");
        h.Value("b").Should().Be("world");
        result.Plan.Hash.Should().NotBe(planner.LastHash, "the filtered plan is a different plan, so it hashes differently");
    }

    [Fact]
    public void Apply_HeldSteps_OnlyActionableHeldStepsBecomeSkips()
    {
        var a = new ResourceKey(string.Empty, "ConfigMap", "shop", "a");
        var b = new ResourceKey(string.Empty, "ConfigMap", "shop", "b");
        var plan = new ApplyPlan
        {
            Application = "shop",
            Steps =
            [
                new PlanStep { Key = a, Action = PlanAction.Apply, AdoptedFrom = string.Empty },
                new PlanStep { Key = b, Action = PlanAction.Delete },
            ],
        };
        var decision = ApprovalDecision.HoldSteps([a], "needs a look");

        var held = ApprovalFilter.HeldSteps(plan, decision);
        var filtered = ApprovalFilter.Apply(plan, held, "sha256:1", decision.Reason);

        held.Select(s => s.Key).Should().Equal(a);
        filtered.Steps[0].Should().Match<PlanStep>(s => s.Action == PlanAction.Skip && s.AdoptedFrom == null && s.Reason!.Contains("hash sha256:1") && s.Reason.Contains("needs a look"));
        filtered.Steps[1].Should().Be(plan.Steps[1]);
        ApprovalFilter.HeldSteps(plan, ApprovalDecision.HoldPlan("all")).Should().HaveCount(2);
        ApprovalFilter.HeldSteps(plan, ApprovalDecision.Approve).Should().BeEmpty();
    }

    private sealed class CountingPlanner : IPlanner
    {
        private readonly Planner _inner = new();

        public int Calls { get; set; }

        public string? LastHash { get; private set; }

        public ApplyPlan Plan(PlanRequest request)
        {
            Calls++;
            var plan = _inner.Plan(request);
            LastHash = plan.Hash;
            return plan;
        }
    }
}
