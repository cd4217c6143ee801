using GitOps.Sdk.Kubernetes;
using GitOps.Sdk.Status;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using k8s;
using k8s.Models;
using static GitOps.Sdk.Kubernetes.Tests.Emulated.KubeTarget;

namespace GitOps.Sdk.Kubernetes.Tests.Emulated;

/// <summary>
/// Applying through the Kubernetes target against the emulator over HTTP. Scenarios run by the real engine
/// (<see cref="KubeTarget.ReconcileAsync"/>: Git source, reconciler, planner, this target); the applier's own behaviour
/// (dry-run, retries on the time provider, server-side diff) is tested on it directly.
/// </summary>
public class ApplierTests
{
    private const string App = "shop";

    [Fact]
    public async Task Reconcile_NewObjects_CreatedInKindOrderAndOwned()
    {
        await using var t = await KubeTarget.StartAsync();
        var desired = new[] { Deployment("web", "shop", App), ConfigMap("settings", "shop", App), Namespace("shop", App) };

        var result = await t.ReconcileAsync(App, desired);

        result.Succeeded.Should().BeTrue(result.Describe());
        result.Objects.Select(o => (o.Key.Kind, o.Outcome)).Should().Equal(
            ("Namespace", ApplyOutcome.Created), ("ConfigMap", ApplyOutcome.Created), ("Deployment", ApplyOutcome.Created));
        var live = await t.GetAsync(desired[1].Key, "v1");
        live!.GetLabel(WellKnown.ApplicationLabel).Should().Be(App);
        live.Metadata.GetProperty("managedFields").EnumerateArray()
            .Should().Contain(m => m.GetProperty("manager").GetString() == WellKnown.FieldManager && m.GetProperty("operation").GetString() == "Apply");
    }

    [Fact]
    public async Task Reconcile_ChangedObject_ConfiguredWithNewResourceVersion()
    {
        await using var t = await KubeTarget.StartAsync();
        await t.ReconcileAsync(App, [Namespace("shop", App), ConfigMap("settings", "shop", App)]);
        var before = await t.GetAsync(ConfigMap("settings", "shop", App).Key, "v1");

        var result = await t.ReconcileAsync(App, [Namespace("shop", App), ConfigMap("settings", "shop", App, data: "{\"a\":\"2\"}")]);

        result.Objects.Single(o => o.Key.Kind == "ConfigMap").Outcome.Should().Be(ApplyOutcome.Configured);
        result.Objects.Single(o => o.Key.Kind == "Namespace").Outcome.Should().Be(ApplyOutcome.Unchanged);
        var after = await t.GetAsync(before!.Key, "v1");
        after!.Json.GetProperty("data").GetProperty("a").GetString().Should().Be("2");
        ResourceVersion(after).Should().NotBe(ResourceVersion(before));
    }

    [Fact]
    public async Task Reconcile_SteadyState_NoWritesAndResourceVersionsUnchanged()
    {
        await using var t = await KubeTarget.StartAsync();
        var desired = new[] { Namespace("shop", App), ConfigMap("settings", "shop", App), Deployment("web", "shop", App) };
        (await t.ReconcileAsync(App, desired)).Outcome.Should().Be(ReconcileOutcome.Applied);
        var before = await Task.WhenAll(desired.Select(d => t.GetAsync(d.Key, d.ApiVersion)));
        var writes = t.Api.Faults.Add(new FaultRule { Verb = "apply", StatusCode = 0 });

        var result = await t.ReconcileAsync(App, desired);

        result.Outcome.Should().Be(ReconcileOutcome.Synced, result.Describe());
        result.Result.Plan!.Steps.Should().HaveCount(3).And.OnlyContain(s => s.Action == PlanAction.None, "every object is decided unchanged");
        result.Objects.Should().BeEmpty("nothing is handed to the applier");
        writes.Hits.Should().Be(0, "a steady state causes no apply request");
        var after = await Task.WhenAll(desired.Select(d => t.GetAsync(d.Key, d.ApiVersion)));
        after.Select(o => ResourceVersion(o!)).Should().Equal(before.Select(o => ResourceVersion(o!)));
    }

    [Fact]
    public async Task ApplyAsync_DryRun_StoresNothingAndPredictsOutcomes()
    {
        await using var t = await KubeTarget.StartAsync();
        var desired = new[] { Namespace("shop", App), ConfigMap("settings", "shop", App) };
        var plan = new ApplyPlan { Application = App, Steps = [.. desired.Select(d => new PlanStep { Key = d.Key, Action = PlanAction.Apply, Desired = d })] };

        var result = await t.Executor.ExecuteAsync(plan, new ApplyOptions { DryRun = true }, CancellationToken.None);

        result.DryRun.Should().BeTrue();
        result.Objects.Should().OnlyContain(o => o.Outcome == ApplyOutcome.Created);
        (await t.GetAsync(desired[0].Key, "v1")).Should().BeNull();
    }

    [Fact]
    public async Task ServerSideDiffAsync_UnchangedThenChangedByAnotherActor_ReportsDriftOnlyAfterChange()
    {
        await using var t = await KubeTarget.StartAsync();
        var cm = ConfigMap("settings", "default", App);
        await t.ApplyAsync(cm);

        var steady = await t.Writer.ServerSideDiffAsync(cm, new ApplyOptions(), CancellationToken.None);
        await t.Other.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"a\":\"changed\"}}", V1Patch.PatchType.MergePatch), "settings", "default", fieldManager: "kubectl-edit");
        var drifted = await t.Writer.ServerSideDiffAsync(cm, new ApplyOptions { Force = true }, CancellationToken.None);

        steady.HasDrift.Should().BeFalse();
        drifted.HasDrift.Should().BeTrue();
        drifted.Predicted!.Json.GetProperty("data").GetProperty("a").GetString().Should().Be("1");
    }

    [Fact]
    public async Task Reconcile_FieldOwnedByAnotherManager_ConflictWithoutForceConflictsAndTakenWithIt()
    {
        await using var t = await KubeTarget.StartAsync();
        await t.ReconcileAsync(App, [ConfigMap("settings", "default", App)]);
        await t.OtherApplyConfigMapAsync("settings", "default", "{\"a\":\"theirs\"}", force: true);
        var desired = new[] { ConfigMap("settings", "default", App) };

        var refused = await t.ReconcileAsync(App, desired, a => a with { ForceConflicts = false });
        (await t.GetAsync(desired[0].Key, "v1"))!.Json.GetProperty("data").GetProperty("a").GetString().Should().Be("theirs", "a conflict overwrites nothing");
        var forced = await t.ReconcileAsync(App, desired, a => a with { ForceConflicts = true });

        var failure = refused.Objects.Single();
        failure.Outcome.Should().Be(ApplyOutcome.Failed);
        failure.Message.Should().Contain("conflict").And.Contain("other-manager").And.Contain("force");
        forced.Objects.Single().Outcome.Should().Be(ApplyOutcome.Configured);
        (await t.GetAsync(desired[0].Key, "v1"))!.Json.GetProperty("data").GetProperty("a").GetString().Should().Be("1");
    }

    [Fact]
    public async Task Reconcile_CrdAndCustomResourceInOneSet_WaitsForEstablishedThenCreates()
    {
        await using var t = await KubeTarget.StartAsync();
        var crd = Obj($$$"""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com","labels":{"{{{WellKnown.ApplicationLabel}}}":"{{{App}}}"} },
             "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},
                     "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","properties":{"size":{"type":"integer","default":3},"color":{"type":"string"} } } } } } }]} }
            """);
        var widget = Obj($$$"""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1","namespace":"default","labels":{"{{{WellKnown.ApplicationLabel}}}":"{{{App}}}"} },"spec":{"color":"blue"} }""");

        var result = await t.ReconcileAsync(App, [widget, crd]);

        result.Succeeded.Should().BeTrue(result.Describe());
        result.Objects.Select(o => o.Key.Kind).Should().Equal("CustomResourceDefinition", "Widget");
        var live = await t.GetAsync(widget.Key, "example.com/v1");
        live!.Json.GetProperty("spec").GetProperty("color").GetString().Should().Be("blue");
    }

    [Fact]
    public async Task Reconcile_UnknownKind_FailsNamingKindGroupAndCrd()
    {
        await using var t = await KubeTarget.StartAsync();
        var gadget = Obj($$$"""{"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"g","namespace":"default","labels":{"{{{WellKnown.ApplicationLabel}}}":"{{{App}}}"} } }""");

        var result = await t.ReconcileAsync(App, [gadget]);

        result.Outcome.Should().Be(ReconcileOutcome.Failed);
        result.Objects.Should().BeEmpty("nothing of the revision is applied");
        result.Result.Error.Should().Contain($"application '{App}'").And.Contain("no kind Gadget in group example.com").And.Contain("is its CRD installed?");
    }

    [Fact]
    public async Task Reconcile_ImmutableFieldChanged_FailsNamingFieldByDefault()
    {
        await using var t = await KubeTarget.StartAsync();
        await t.ReconcileAsync(App, [Deployment("web", "default", App)]);

        var result = await t.ReconcileAsync(App, [Deployment("web", "default", App, selectorApp: "web2")]);

        var failure = result.Objects.Single();
        failure.Outcome.Should().Be(ApplyOutcome.Failed);
        failure.Message.Should().Contain("immutable field spec.selector").And.Contain("AllowRecreate").And.Contain(WellKnown.RecreateAnnotation);
    }

    [Fact]
    public async Task Reconcile_ImmutableFieldChangedWithAllowRecreate_DeletesAndRecreates()
    {
        await using var t = await KubeTarget.StartAsync();
        await t.ReconcileAsync(App, [Deployment("web", "default", App)]);
        var before = await t.GetAsync(Deployment("web", "default", App).Key, "apps/v1");

        var result = await t.ReconcileAsync(App, [Deployment("web", "default", App, selectorApp: "web2")], a => a with { AllowRecreate = true });

        var step = result.Objects.Single();
        step.Outcome.Should().Be(ApplyOutcome.Configured, step.Message);
        step.Message.Should().Contain("re-created").And.Contain("spec.selector");
        var after = await t.GetAsync(before!.Key, "apps/v1");
        Uid(after!).Should().NotBe(Uid(before));
        after!.Json.GetProperty("spec").GetProperty("selector").GetProperty("matchLabels").GetProperty("app").GetString().Should().Be("web2");
    }

    [Fact]
    public async Task Reconcile_ImmutableFieldChangedWithRecreateAnnotation_Recreates()
    {
        await using var t = await KubeTarget.StartAsync();
        await t.ReconcileAsync(App, [Deployment("web", "default", App)]);
        var before = await t.GetAsync(Deployment("web", "default", App).Key, "apps/v1");
        var annotated = Deployment("web", "default", App, selectorApp: "web2")
            .With(n => n["metadata"]!["annotations"] = new System.Text.Json.Nodes.JsonObject { [WellKnown.RecreateAnnotation] = "true" });

        var result = await t.ReconcileAsync(App, [annotated]);

        var step = result.Objects.Single();
        step.Outcome.Should().Be(ApplyOutcome.Configured, step.Message);
        step.Message.Should().Contain("re-created").And.Contain("spec.selector");
        var after = await t.GetAsync(before!.Key, "apps/v1");
        Uid(after!).Should().NotBe(Uid(before), "a re-created object is a new object with a new uid");
        after!.Json.GetProperty("spec").GetProperty("selector").GetProperty("matchLabels").GetProperty("app").GetString().Should().Be("web2");
        after.Json.GetProperty("metadata").GetProperty("annotations").GetProperty(WellKnown.RecreateAnnotation).GetString().Should().Be("true");
    }

    [Fact]
    public async Task Reconcile_ServicePortChangedByAnotherManager_RepairedWithUpdateAndReported()
    {
        // Recorded case 41: the forced apply is refused with 422 (duplicate port name) on a real server.
        await using var t = await KubeTarget.StartAsync();
        var svc = Obj($$$"""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"drift-port-svc","namespace":"default","labels":{"{{{WellKnown.ApplicationLabel}}}":"{{{App}}}"} },
             "spec":{"selector":{"app":"drift-port-svc"},"ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"}]} }
            """);
        await t.ReconcileAsync(App, [svc]);
        await t.Other.CoreV1.PatchNamespacedServiceAsync(
            new V1Patch("[{\"op\":\"replace\",\"path\":\"/spec/ports/0/port\",\"value\":8081}]", V1Patch.PatchType.JsonPatch), "drift-port-svc", "default", fieldManager: "kubectl-patch");

        var result = await t.ReconcileAsync(App, [svc], a => a with { ForceConflicts = true });

        var step = result.Objects.Single();
        step.Outcome.Should().Be(ApplyOutcome.Configured, step.Message);
        var live = await t.GetAsync(svc.Key, "v1");
        var ports = live!.Json.GetProperty("spec").GetProperty("ports");
        ports.GetArrayLength().Should().Be(1);
        ports[0].GetProperty("port").GetInt32().Should().Be(80);
        step.Message.Should().Contain("Duplicate value").And.Contain("repaired with an update replacing spec.ports").And.Contain("applied again");
    }

    [Fact]
    public async Task Reconcile_TooManyRequestsAndServerErrors_RetriedUntilSuccess()
    {
        await using var t = await KubeTarget.StartAsync();
        var throttled = t.Api.Faults.Add(new FaultRule { Verb = "apply", Resource = "configmaps", Name = "settings", StatusCode = 429, RetryAfter = TimeSpan.FromSeconds(1), Times = 1 });
        var broken = t.Api.Faults.Add(new FaultRule { Verb = "apply", Resource = "namespaces", Name = "shop", StatusCode = 500, Times = 2 });

        var result = await t.ReconcileAsync(App, [Namespace("shop", App), ConfigMap("settings", "shop", App)]);

        result.Succeeded.Should().BeTrue(result.Describe());
        throttled.Hits.Should().Be(1);
        broken.Hits.Should().Be(2);
    }

    [Fact]
    public async Task ApplyAsync_RetryAfter_WaitsExactlyThatLongOnTheTimeProvider()
    {
        var time = new CountingTimeProvider(DateTimeOffset.UtcNow);
        await using var t = await KubeTarget.StartAsync(time: time);
        var throttled = t.Api.Faults.Add(new FaultRule { Verb = "apply", Resource = "configmaps", StatusCode = 429, RetryAfter = TimeSpan.FromSeconds(7), Times = 1 });
        var plan = new ApplyPlan { Application = App, Steps = [new PlanStep { Key = ConfigMap("c", "default", App).Key, Action = PlanAction.Apply, Desired = ConfigMap("c", "default", App) }] };
        var retryDelay = TimeSpan.FromSeconds(7);

        var apply = t.Executor.ExecuteAsync(plan, new ApplyOptions(), CancellationToken.None).AsTask();
        await WaitUntilAsync(() => t.WriterLog.Messages.Any(m => m.Contains("retry 1 in 7000 ms", StringComparison.Ordinal)), "the retry to be scheduled");

        // Counted by due time: the request's own timeout is a timer on the same clock, created before the retry delay.
        await WaitUntilAsync(() => time.TimersCreatedWithDueTime(retryDelay) == 1, "the retry delay is waiting on the clock");
        time.Advance(TimeSpan.FromSeconds(6));
        time.TimersFiredWithDueTime(retryDelay).Should().Be(0, "the server asked for 7 seconds: the delay is not due after 6 (due timers fire inside Advance)");
        apply.IsCompleted.Should().BeFalse();
        time.Advance(TimeSpan.FromSeconds(1));
        time.TimersFiredWithDueTime(retryDelay).Should().Be(1, "the retry delay ended at 7 seconds");
        var result = await apply.WaitAsync(TimeSpan.FromSeconds(30));

        throttled.Hits.Should().Be(1);
        result.Objects.Single().Outcome.Should().Be(ApplyOutcome.Created);
    }

    [Fact]
    public async Task Reconcile_PersistentServerError_FailsWithStatusAndStopsLaterWaves()
    {
        await using var t = await KubeTarget.StartAsync(o => o.MaxRetries = 1);
        t.Api.Faults.Add(new FaultRule { Verb = "apply", Name = "first", StatusCode = 500, Message = "etcd is sad" });
        var first = ConfigMap("first", "default", App);
        var later = ConfigMap("later", "default", App, annotations: $"{{\"{WellKnown.SyncWaveAnnotation}\":\"1\"}}");

        var result = await t.ReconcileAsync(App, [first, later]);

        result.Objects[0].Outcome.Should().Be(ApplyOutcome.Failed);
        result.Objects[0].Message.Should().Contain("500").And.Contain("etcd is sad");
        result.Objects[1].Outcome.Should().Be(ApplyOutcome.Skipped);
        (await t.GetAsync(later.Key, "v1")).Should().BeNull();
    }
}
