using System.Collections.Immutable;
using GitOps.Sdk.Execution;

namespace GitOps.Sdk.Tests.Execution;

public class PlanExecutorTests
{
    private const string App = "shop";
    private const string CrdName = "widgets.example.com";

    private static KubeObject Obj(string apiVersion, string kind, string name, string? ns = "shop", string annotations = "{}", string uid = "")
    {
        var nsText = ns is null ? string.Empty : $"\"namespace\":\"{ns}\",";
        var uidText = uid.Length == 0 ? string.Empty : $"\"uid\":\"{uid}\",";
        return KubeObject.Parse($"{{\"apiVersion\":\"{apiVersion}\",\"kind\":\"{kind}\",\"metadata\":{{{nsText}{uidText}\"name\":\"{name}\",\"annotations\":{annotations}}}}}");
    }

    private static KubeObject ConfigMap(string name, string ns = "shop") => Obj("v1", "ConfigMap", name, ns);

    private static KubeObject Namespace(string name) => Obj("v1", "Namespace", name, ns: null);

    private static KubeObject Widget(string name) => Obj("example.com/v1", "Widget", name);

    private static KubeObject Crd() => KubeObject.Parse($$$"""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"{{{CrdName}}}"},
         "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","kind":"Widget"},"versions":[{"name":"v1","served":true,"storage":true}]}}
        """);

    private static KubeObject Deployment(string annotations = "{}") => Obj("apps/v1", "Deployment", "web", annotations: annotations);

    private static PlanStep Apply(KubeObject desired, int wave = 0, KubeObject? live = null) =>
        new() { Key = desired.Key, Action = PlanAction.Apply, Desired = desired, Live = live, Wave = wave };

    private static PlanStep Delete(KubeObject live, int wave = 0) => new() { Key = live.Key, Action = PlanAction.Delete, Live = live, Wave = wave };

    private static ApplyPlan Plan(params PlanStep[] steps) => new() { Application = App, Steps = [.. steps] };

    private static WriteResult Immutable() =>
        WriteResult.Immutable(["spec.selector"], "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: field is immutable");

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var start = Environment.TickCount64;
        while (!condition())
        {
            if (Environment.TickCount64 - start > 10_000)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task ExecuteAsync_LaterWaveListedFirst_RunsLowerWaveFirstAndReportsInPlanOrder()
    {
        var writer = new ScriptedWriter();
        var plan = Plan(Apply(ConfigMap("late"), wave: 2), Apply(ConfigMap("middle"), wave: 1), Apply(Namespace("shop"), wave: 0));

        var result = await new PlanExecutor(writer).ExecuteAsync(plan, new ApplyOptions(), CancellationToken.None);

        writer.Calls.Should().Equal("apply Namespace/shop", "apply ConfigMap/middle", "apply ConfigMap/late");
        result.Objects.Select(o => o.Key.Name).Should().Equal("late", "middle", "shop");
        result.Objects.Should().OnlyContain(o => o.Outcome == ApplyOutcome.Created);
    }

    [Fact]
    public async Task ExecuteAsync_StepFails_FinishesItsWaveAndSkipsLaterWavesAndDeletes()
    {
        var writer = new ScriptedWriter { OnApply = r => r.Desired.Name == "bad" ? WriteResult.Failed("admission webhook denied the request") : null };
        var secret = Obj("v1", "Secret", "same-wave");
        var plan = Plan(Apply(ConfigMap("bad")), Apply(secret), Apply(ConfigMap("later"), wave: 1), Delete(ConfigMap("old")));

        var result = await new PlanExecutor(writer).ExecuteAsync(plan, new ApplyOptions(), CancellationToken.None);

        writer.Calls.Should().Equal("apply ConfigMap/bad", "apply Secret/same-wave");
        result.Succeeded.Should().BeFalse();
        result.Objects.Select(o => o.Outcome).Should().Equal(ApplyOutcome.Failed, ApplyOutcome.Created, ApplyOutcome.Skipped, ApplyOutcome.Skipped);
        result.Objects[0].Message.Should().Be("admission webhook denied the request");
        result.Objects[2].Message.Should().Be("not carried out: an earlier step of wave 0 failed");
        result.Objects[3].Message.Should().Be("not carried out: an earlier step of wave 0 failed");
    }

    [Fact]
    public async Task ExecuteAsync_DeletesListedContainersFirst_AppliesThenContentsThenNamespaceThenCrd()
    {
        var writer = new ScriptedWriter();
        var plan = Plan(
            Delete(Crd()),
            Delete(Namespace("shop")),
            Delete(ConfigMap("low")),
            Delete(Widget("w"), wave: 3),
            Apply(ConfigMap("kept")));

        var result = await new PlanExecutor(writer).ExecuteAsync(plan, new ApplyOptions(), CancellationToken.None);

        writer.Calls.Should().Equal(
            "apply ConfigMap/kept",
            "delete Widget/w",
            "delete ConfigMap/low",
            "delete Namespace/shop",
            $"delete CustomResourceDefinition/{CrdName}");
        result.Objects.Select(o => o.Outcome).Should().Equal(ApplyOutcome.Deleted, ApplyOutcome.Deleted, ApplyOutcome.Deleted, ApplyOutcome.Deleted, ApplyOutcome.Created);
        writer.Deletes.Should().OnlyContain(d => d.PropagationPolicy == "Background" && !d.WaitUntilGone);
    }

    [Theory]
    [InlineData(8, 3, 3)]
    [InlineData(2, null, 2)]
    public async Task ExecuteAsync_ManyObjectsOfOneKind_NeverMoreWritesAtOnceThanTheBound(int writerMax, int? optionsMax, int expected)
    {
        var writer = new ScriptedWriter { MaxConcurrency = writerMax, HoldApplies = true };
        const int count = 7;
        var plan = Plan([.. Enumerable.Range(0, count).Select(i => Apply(ConfigMap($"c{i}")))]);

        var run = new PlanExecutor(writer).ExecuteAsync(plan, new ApplyOptions { MaxConcurrency = optionsMax }, CancellationToken.None).AsTask();
        for (var released = 0; released < count; released++)
        {
            var waiting = Math.Min(expected, count - released);
            await WaitUntilAsync(() => writer.Held >= waiting, $"{waiting} applies under way");
            writer.ReleaseOne();
        }

        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));
        result.Objects.Should().HaveCount(count).And.OnlyContain(o => o.Outcome == ApplyOutcome.Created);
        writer.MaxInFlight.Should().Be(expected);
    }

    [Fact]
    public async Task ExecuteAsync_CustomResourceAndItsCrd_WritesTheResourceOnlyAfterTheCrdIsEstablished()
    {
        var established = new TaskCompletionSource<ReadinessResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = new ScriptedWriter { OnWaitEstablished = _ => established.Task };
        var plan = Plan(Apply(Crd()), Apply(Widget("a")), Apply(Widget("b")));

        var run = new PlanExecutor(writer).ExecuteAsync(plan, new ApplyOptions(), CancellationToken.None).AsTask();
        await WaitUntilAsync(() => writer.Calls.Contains($"wait {CrdName}"), "the wait for the CRD");
        var beforeEstablished = writer.Calls;
        established.SetResult(ReadinessResult.Ready);
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10));

        beforeEstablished.Should().NotContain(c => c.StartsWith("apply Widget/", StringComparison.Ordinal));
        writer.Calls.Count(c => c.StartsWith("wait ", StringComparison.Ordinal)).Should().Be(1, "custom resources of one CRD share one wait");
        writer.Calls.Should().Contain(["apply Widget/a", "apply Widget/b"]);
        result.Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task ExecuteAsync_CrdNeverEstablished_FailsCustomResourceWithTheWritersReasonAndWritesNothingForIt()
    {
        var writer = new ScriptedWriter { OnWaitEstablished = _ => Task.FromResult(ReadinessResult.NotReady($"its CustomResourceDefinition {CrdName} did not become Established within 0.3 s")) };

        var result = await new PlanExecutor(writer).ExecuteAsync(Plan(Apply(Crd()), Apply(Widget("a"))), new ApplyOptions(), CancellationToken.None);

        result.Objects[0].Outcome.Should().Be(ApplyOutcome.Created);
        result.Objects[1].Outcome.Should().Be(ApplyOutcome.Failed);
        result.Objects[1].Message.Should().Contain(CrdName).And.Contain("did not become Established");
        writer.Calls.Should().NotContain("apply Widget/a");
    }

    [Fact]
    public async Task ExecuteAsync_CrdFailed_FailsCustomResourceNamingTheCrdWithoutWaiting()
    {
        var writer = new ScriptedWriter { OnApply = r => r.Desired.Kind == "CustomResourceDefinition" ? WriteResult.Failed("schema is invalid") : null };

        var result = await new PlanExecutor(writer).ExecuteAsync(Plan(Apply(Crd()), Apply(Widget("a"))), new ApplyOptions(), CancellationToken.None);

        result.Objects[1].Outcome.Should().Be(ApplyOutcome.Failed);
        result.Objects[1].Message.Should().Be($"its CustomResourceDefinition {CrdName} was not applied: schema is invalid");
        writer.Calls.Should().Equal($"apply CustomResourceDefinition/{CrdName}");
    }

    [Fact]
    public async Task ExecuteAsync_DryRunKindNotServedYet_ReportsCustomResourceAsCreatedAfterTheCrd()
    {
        var writer = new ScriptedWriter { OnApply = r => r.Desired.Kind == "Widget" ? WriteResult.Failed("no kind Widget in group example.com", WriteFailure.KindNotServed) : null };

        var result = await new PlanExecutor(writer).ExecuteAsync(Plan(Apply(Crd()), Apply(Widget("a"))), new ApplyOptions { DryRun = true }, CancellationToken.None);

        result.Succeeded.Should().BeTrue();
        result.Objects[1].Outcome.Should().Be(ApplyOutcome.Created);
        result.Objects[1].Message.Should().StartWith($"will be created after the CRD {CrdName}");
        writer.Calls.Should().NotContain(c => c.StartsWith("wait ", StringComparison.Ordinal), "a dry-run created no CRD to wait for");
        writer.Applies.Should().OnlyContain(a => a.DryRun);
    }

    [Fact]
    public async Task ExecuteAsync_DryRunIntoNamespaceThePlanCreates_ReportsCreatedButAnotherMissingNamespaceFails()
    {
        var writer = new ScriptedWriter { OnApply = r => r.Desired.Kind == "ConfigMap" ? WriteResult.Failed($"namespaces \"{r.Desired.Namespace}\" not found", WriteFailure.NamespaceNotFound) : null };
        var plan = Plan(Apply(Namespace("shop")), Apply(ConfigMap("in-plan", "shop")), Apply(ConfigMap("elsewhere", "other")));

        var result = await new PlanExecutor(writer).ExecuteAsync(plan, new ApplyOptions { DryRun = true }, CancellationToken.None);

        result.Objects[1].Outcome.Should().Be(ApplyOutcome.Created);
        result.Objects[1].Message.Should().Be("not validated by the server: its namespace shop is created by this plan");
        result.Objects[2].Outcome.Should().Be(ApplyOutcome.Failed);
        result.Objects[2].Message.Should().Contain("namespaces \"other\" not found");
    }

    [Fact]
    public async Task ExecuteAsync_ImmutableFieldWithoutPermission_FailsNamingTheFieldAndBothWaysToAllowIt()
    {
        var writer = new ScriptedWriter { OnApply = _ => Immutable() };
        var live = Obj("apps/v1", "Deployment", "web", uid: "uid-1");

        var result = await new PlanExecutor(writer).ExecuteAsync(Plan(Apply(Deployment(), live: live)), new ApplyOptions(), CancellationToken.None);

        var failure = result.Objects.Single();
        failure.Outcome.Should().Be(ApplyOutcome.Failed);
        failure.Message.Should().StartWith("immutable field spec.selector cannot be changed")
            .And.Contain("field is immutable").And.Contain("ApplyOptions.AllowRecreate").And.Contain(WellKnown.RecreateAnnotation);
        writer.Calls.Should().Equal("apply Deployment/web");
    }

    [Fact]
    public async Task ExecuteAsync_ImmutableFieldWithAllowRecreate_DeletesThePlannedObjectWaitsAndCreatesAgain()
    {
        var writer = new ScriptedWriter { OnApply = r => r.Live is not null ? Immutable() : null };
        var live = Obj("apps/v1", "Deployment", "web", uid: "uid-1");

        var result = await new PlanExecutor(writer).ExecuteAsync(Plan(Apply(Deployment(), live: live)), new ApplyOptions { AllowRecreate = true, PropagationPolicy = "Foreground" }, CancellationToken.None);

        var step = result.Objects.Single();
        step.Outcome.Should().Be(ApplyOutcome.Configured);
        step.Message.Should().Be("deleted and re-created: immutable field spec.selector changed");
        writer.Calls.Should().Equal("apply Deployment/web", "delete Deployment/web", "apply Deployment/web");
        var delete = writer.Deletes.Single();
        delete.Target.Should().BeSameAs(live, "only the object the step was planned against (its uid) is deleted");
        delete.WaitUntilGone.Should().BeTrue();
        delete.PropagationPolicy.Should().Be("Foreground");
        writer.Applies[1].Force.Should().BeTrue();
        writer.Applies[1].Live.Should().BeNull();
    }

    [Fact]
    public async Task ExecuteAsync_ImmutableFieldWithRecreateAnnotation_Recreates()
    {
        var writer = new ScriptedWriter { OnApply = r => r.Live is not null ? Immutable() : null };
        var annotated = Deployment($"{{\"{WellKnown.RecreateAnnotation}\":\"true\"}}");

        var result = await new PlanExecutor(writer).ExecuteAsync(Plan(Apply(annotated, live: Deployment())), new ApplyOptions(), CancellationToken.None);

        result.Objects.Single().Outcome.Should().Be(ApplyOutcome.Configured);
        writer.Calls.Should().Equal("apply Deployment/web", "delete Deployment/web", "apply Deployment/web");
    }

    [Fact]
    public async Task ExecuteAsync_RecreateWhoseDeleteFails_FailsWithBothReasonsAndCreatesNothing()
    {
        var writer = new ScriptedWriter { OnApply = r => r.Live is not null ? Immutable() : null, OnDelete = _ => WriteResult.Failed("the deleted object did not disappear within 60 s (finalizers?)") };

        var result = await new PlanExecutor(writer).ExecuteAsync(Plan(Apply(Deployment(), live: Deployment())), new ApplyOptions { AllowRecreate = true }, CancellationToken.None);

        var step = result.Objects.Single();
        step.Outcome.Should().Be(ApplyOutcome.Failed);
        step.Message.Should().Be("immutable field spec.selector changed; deleting it for re-creation failed: the deleted object did not disappear within 60 s (finalizers?)");
        writer.Calls.Should().Equal("apply Deployment/web", "delete Deployment/web");
    }

    [Fact]
    public async Task ExecuteAsync_RecreateStep_DeletesAndCreatesWithoutTryingAnApplyFirst()
    {
        var writer = new ScriptedWriter();
        var step = new PlanStep { Key = Deployment().Key, Action = PlanAction.Recreate, Desired = Deployment(), Live = Deployment(), Reason = "the chart asks for replacement" };

        var result = await new PlanExecutor(writer).ExecuteAsync(Plan(step), new ApplyOptions(), CancellationToken.None);

        result.Objects.Single().Message.Should().Be("deleted and re-created: the chart asks for replacement");
        writer.Calls.Should().Equal("delete Deployment/web", "apply Deployment/web");
    }

    [Fact]
    public async Task ExecuteAsync_DryRunRecreate_DeletesOnlyAsDryRunAndCreatesNothing()
    {
        var writer = new ScriptedWriter { OnApply = r => r.Live is not null ? Immutable() : null };

        var result = await new PlanExecutor(writer).ExecuteAsync(Plan(Apply(Deployment(), live: Deployment())), new ApplyOptions { AllowRecreate = true, DryRun = true }, CancellationToken.None);

        result.Objects.Single().Message.Should().Be("would be deleted and re-created: immutable field spec.selector changed");
        writer.Calls.Should().Equal("apply Deployment/web", "delete Deployment/web");
        writer.Deletes.Single().DryRun.Should().BeTrue();
        writer.Deletes.Single().WaitUntilGone.Should().BeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_UnchangedAndSkippedSteps_ReachNoWriter()
    {
        var writer = new ScriptedWriter();
        var live = ConfigMap("same");
        var plan = Plan(
            new PlanStep { Key = live.Key, Action = PlanAction.None, Desired = live, Live = live },
            new PlanStep { Key = ConfigMap("theirs").Key, Action = PlanAction.Skip, Reason = "owned by application 'other'" });

        var result = await new PlanExecutor(writer).ExecuteAsync(plan, new ApplyOptions(), CancellationToken.None);

        writer.Calls.Should().BeEmpty();
        result.Objects.Select(o => (o.Outcome, o.Message)).Should().Equal((ApplyOutcome.Unchanged, null), (ApplyOutcome.Skipped, "owned by application 'other'"));
        result.Objects[0].Result.Should().BeSameAs(live);
    }

    [Fact]
    public void ExecutionOrder_PlannerOrder_IsKept()
    {
        // What the default planner emits is already in execution order: the executor changes nothing about it.
        var steps = ImmutableArray.Create(Apply(Namespace("shop")), Apply(ConfigMap("a")), Apply(ConfigMap("b"), wave: 1), Delete(ConfigMap("old"), wave: 1), Delete(ConfigMap("older")), Delete(Namespace("gone")));

        PlanExecutor.ExecutionOrder(steps).Should().Equal(0, 1, 2, 3, 4, 5);
    }
}
