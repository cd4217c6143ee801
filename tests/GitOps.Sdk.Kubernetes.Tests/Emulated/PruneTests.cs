using GitOps.Sdk.Status;
using GitOps.Sdk.Testing;
using static GitOps.Sdk.Kubernetes.Tests.Emulated.KubeTarget;

namespace GitOps.Sdk.Kubernetes.Tests.Emulated;

/// <summary>Pruning through the Kubernetes target, run by the real engine (Git source, reconciler, planner, inventory).</summary>
public class PruneTests
{
    private const string App = "shop";

    [Fact]
    public async Task Reconcile_ObjectsRemovedFromDesired_DeletedInReverseOrder()
    {
        await using var t = await KubeTarget.StartAsync();
        var ns = Namespace("shop", App);
        var cm = ConfigMap("settings", "shop", App);
        var deploy = Deployment("web", "shop", App);
        var kept = ConfigMap("kept", "default", App);
        (await t.ReconcileAsync(App, [ns, cm, deploy, kept])).Outcome.Should().Be(ReconcileOutcome.Applied);

        var result = await t.ReconcileAsync(App, [kept]);

        result.Succeeded.Should().BeTrue(result.Describe());
        result.Objects.Select(o => (o.Key.Kind, o.Outcome)).Should().Equal(
            ("ConfigMap", ApplyOutcome.Unchanged),
            ("Deployment", ApplyOutcome.Deleted),
            ("ConfigMap", ApplyOutcome.Deleted),
            ("Namespace", ApplyOutcome.Deleted));
        (await t.GetAsync(deploy.Key, "apps/v1")).Should().BeNull();
        (await t.Inventory.GetAsync(App, CancellationToken.None))!.Entries.Select(e => e.Key).Should().Equal(kept.Key);
    }

    [Fact]
    public async Task Reconcile_PruneOptOutAnnotation_KeptLiveAndStillTracked()
    {
        await using var t = await KubeTarget.StartAsync();
        var keep = ConfigMap("keep-me", "default", App, annotations: $"{{\"{WellKnown.PruneAnnotation}\":\"disabled\"}}");
        var other = ConfigMap("other", "default", App);
        (await t.ReconcileAsync(App, [keep, other])).Outcome.Should().Be(ReconcileOutcome.Applied);

        var result = await t.ReconcileAsync(App, [other]);

        result.Outcome.Should().Be(ReconcileOutcome.Synced, result.Describe());
        var skipped = result.Result.Plan!.Steps.Single(o => o.Key == keep.Key);
        skipped.Action.Should().Be(PlanAction.Skip);
        skipped.Reason.Should().Contain(WellKnown.PruneAnnotation);
        (await t.GetAsync(keep.Key, "v1")).Should().NotBeNull();
        (await t.Inventory.GetAsync(App, CancellationToken.None))!.Entries.Select(e => e.Key).Should().BeEquivalentTo(
            [keep.Key, other.Key], "an opted-out object stays tracked until it is really gone (the engine's inventory rule)");
    }

    [Fact]
    public async Task Reconcile_ObjectTakenByAnotherApplication_NeitherTakenBackNorPruned()
    {
        await using var t = await KubeTarget.StartAsync();
        var shared = ConfigMap("shared", "default", App);
        (await t.ReconcileAsync(App, [shared, ConfigMap("other", "default", App)])).Outcome.Should().Be(ReconcileOutcome.Applied);

        // The billing application claims the object (takeover allowed for it).
        var billing = await t.ReconcileAsync("billing", [ConfigMap("shared", "default", "billing", data: "{\"a\":\"billing\"}")], a => a with { AllowTakeover = true });
        billing.Succeeded.Should().BeTrue(billing.Describe());

        // shop still declares it: refused, not a silent takeover.
        var conflict = await t.ReconcileAsync(App, [shared, ConfigMap("other", "default", App)]);

        // shop stops declaring it: not pruned, because billing owns it.
        var prune = await t.ReconcileAsync(App, [ConfigMap("other", "default", App)]);

        conflict.Outcome.Should().Be(ReconcileOutcome.Refused, conflict.Describe());
        var refusal = conflict.Result.Refused.Should().ContainSingle().Subject;
        refusal.Key.Should().Be(shared.Key);
        refusal.Reason.Should().Contain("'billing'").And.Contain("'shop'");
        prune.Succeeded.Should().BeTrue(prune.Describe());
        prune.Objects.Should().NotContain(o => o.Key == shared.Key && o.Outcome == ApplyOutcome.Deleted);
        var live = await t.GetAsync(shared.Key, "v1");
        live!.GetLabel(WellKnown.ApplicationLabel).Should().Be("billing");
        live.Json.GetProperty("data").GetProperty("a").GetString().Should().Be("billing");
        (await t.Inventory.GetAsync(App, CancellationToken.None))!.Entries.Select(e => e.Key).Should().NotContain(shared.Key);
    }

    [Fact]
    public async Task Reconcile_EmptyDesired_PrunesNothingUnlessAllowed()
    {
        await using var t = await KubeTarget.StartAsync();
        var cm = ConfigMap("settings", "default", App);
        (await t.ReconcileAsync(App, [cm])).Outcome.Should().Be(ReconcileOutcome.Applied);

        var refused = await t.ReconcileAsync(App, []);
        var stillThere = await t.GetAsync(cm.Key, "v1");
        var allowed = await t.ReconcileAsync(App, [], a => a with { AllowEmptyPrune = true });

        refused.Objects.Should().NotContain(o => o.Outcome == ApplyOutcome.Deleted, refused.Describe());
        refused.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Status.Should().Be(ConditionStatus.False, "pruning everything was refused, not done");
        stillThere.Should().NotBeNull();
        allowed.Objects.Single().Outcome.Should().Be(ApplyOutcome.Deleted, allowed.Describe());
        (await t.GetAsync(cm.Key, "v1")).Should().BeNull();
    }

    [Fact]
    public async Task Reconcile_CrashMidApply_InventoryWrittenBeforeApplyLetsTheNextProcessPruneWhatItCreated()
    {
        // One write at a time, so that when the write of e is in flight, c and d are already in the cluster.
        await using var t = await KubeTarget.StartAsync(o => o.MaxConcurrency = 1);
        var a = ConfigMap("a", "default", App);
        var b = ConfigMap("b", "default", App);
        (await t.ReconcileAsync(App, [a, b])).Outcome.Should().Be(ReconcileOutcome.Applied);

        // Revision 2 adds c, d, e; the process dies (its reconcile is cancelled, the host is gone) while e is being written.
        var hang = t.Api.Faults.Add(new FaultRule { Verb = "apply", Resource = "configmaps", Name = "e", Delay = TimeSpan.FromMinutes(5) });
        var c = ConfigMap("c", "default", App);
        var d = ConfigMap("d", "default", App);
        var e = ConfigMap("e", "default", App);
        using var crash = new CancellationTokenSource();
        var interrupted = t.ReconcileAsync(App, [a, c, d, e], cancellationToken: crash.Token);
        await WaitUntilAsync(() => hang.Hits == 1 || interrupted.IsCompleted, "the write of e is in flight", timeoutMs: 60_000);
        crash.Cancel();
        var crashed = await interrupted;
        t.Api.Faults.Remove(hang);

        crashed.Outcome.Should().Be(ReconcileOutcome.Cancelled, crashed.Describe());
        (await t.GetAsync(c.Key, "v1")).Should().NotBeNull("c was created before the crash");
        (await t.GetAsync(d.Key, "v1")).Should().NotBeNull("d was created before the crash");
        (await t.GetAsync(e.Key, "v1")).Should().BeNull("the write of e never completed");

        // What the crashed process left in the cluster: the pending inventory, widened before the apply.
        var store = new KubernetesInventoryStore(t.Client, t.Options);
        (await store.GetAsync(App, CancellationToken.None))!.Entries.Select(x => x.Key.Name).Should().Equal("a", "b", "c", "d", "e");

        // A new process reconciles revision 3, which declares only a.
        var result = await t.ReconcileAsync(App, [a]);

        result.Succeeded.Should().BeTrue(result.Describe());
        foreach (var gone in new[] { b, c, d })
        {
            (await t.GetAsync(gone.Key, "v1")).Should().BeNull($"{gone.Key.Name} was tracked through the crash and pruned");
        }

        (await t.GetAsync(a.Key, "v1")).Should().NotBeNull();
        (await store.GetAsync(App, CancellationToken.None))!.Entries.Select(x => x.Key.Name).Should().Equal("a");
    }
}
