using GitOps.Sdk.Testing;
using static GitOps.Sdk.Kubernetes.Tests.Emulated.KubeTarget;

namespace GitOps.Sdk.Kubernetes.Tests.Emulated;

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
        await t.ReconcileAsync(App, [ns, cm, deploy, kept]);

        var result = await t.ReconcileAsync(App, [kept]);

        result.Succeeded.Should().BeTrue(string.Join("; ", result.Objects.Select(o => o.Message)));
        result.Objects.Select(o => (o.Key.Kind, o.Outcome)).Should().Equal(
            ("ConfigMap", ApplyOutcome.Unchanged),
            ("Deployment", ApplyOutcome.Deleted),
            ("ConfigMap", ApplyOutcome.Deleted),
            ("Namespace", ApplyOutcome.Deleted));
        (await t.GetAsync(deploy.Key, "apps/v1")).Should().BeNull();
        (await t.Inventory.GetAsync(App, CancellationToken.None))!.Entries.Select(e => e.Key).Should().Equal(kept.Key);
    }

    [Fact]
    public async Task Reconcile_PruneOptOutAnnotation_KeptAndForgotten()
    {
        await using var t = await KubeTarget.StartAsync();
        var keep = ConfigMap("keep-me", "default", App, annotations: $"{{\"{WellKnown.PruneAnnotation}\":\"disabled\"}}");
        var other = ConfigMap("other", "default", App);
        await t.ReconcileAsync(App, [keep, other]);

        var result = await t.ReconcileAsync(App, [other]);

        var skipped = result.Objects.Single(o => o.Key == keep.Key);
        skipped.Outcome.Should().Be(ApplyOutcome.Skipped);
        skipped.Message.Should().Contain(WellKnown.PruneAnnotation);
        (await t.GetAsync(keep.Key, "v1")).Should().NotBeNull();
        (await t.Inventory.GetAsync(App, CancellationToken.None))!.Entries.Select(e => e.Key).Should().Equal(other.Key);
    }

    [Fact]
    public async Task Reconcile_ObjectTakenByAnotherApplication_NeitherTakenOverNorPruned()
    {
        await using var t = await KubeTarget.StartAsync();
        var shared = ConfigMap("shared", "default", App);
        await t.ReconcileAsync(App, [shared, ConfigMap("other", "default", App)]);

        // The billing application claims the object (takeover allowed for it).
        var billing = await t.ReconcileAsync("billing", [ConfigMap("shared", "default", "billing", data: "{\"a\":\"billing\"}")], new ApplyOptions { Force = true }, new PlanOptions { AllowTakeover = true });
        billing.Succeeded.Should().BeTrue(string.Join("; ", billing.Objects.Select(o => o.Message)));

        // shop stops declaring it: not pruned, because billing owns it; shop lets go of it.
        var prune = await t.ReconcileAsync(App, [ConfigMap("other", "default", App)]);
        (await t.Inventory.GetAsync(App, CancellationToken.None))!.Entries.Select(e => e.Key).Should().NotContain(shared.Key);

        // shop declares it again: conflict, not a silent takeover.
        var conflict = await t.ReconcileAsync(App, [shared, ConfigMap("other", "default", App)]);

        var conflictStep = conflict.Objects.Single(o => o.Key == shared.Key);
        conflictStep.Outcome.Should().Be(ApplyOutcome.Skipped);
        conflictStep.Message.Should().Contain("'billing'").And.Contain("'shop'");
        var pruneStep = prune.Objects.Single(o => o.Key == shared.Key);
        pruneStep.Outcome.Should().Be(ApplyOutcome.Skipped);
        pruneStep.Message.Should().Contain("'billing'").And.Contain("'shop'");
        var live = await t.GetAsync(shared.Key, "v1");
        live!.GetLabel(WellKnown.ApplicationLabel).Should().Be("billing");
        live.Json.GetProperty("data").GetProperty("a").GetString().Should().Be("billing");
    }

    [Fact]
    public async Task Reconcile_EmptyDesired_PrunesNothingUnlessAllowed()
    {
        await using var t = await KubeTarget.StartAsync();
        var cm = ConfigMap("settings", "default", App);
        await t.ReconcileAsync(App, [cm]);

        var refused = await t.ReconcileAsync(App, []);
        var stillThere = await t.GetAsync(cm.Key, "v1");
        var allowed = await t.ReconcileAsync(App, [], planOptions: new PlanOptions { AllowEmptyPrune = true });

        refused.Objects.Single().Outcome.Should().Be(ApplyOutcome.Skipped);
        stillThere.Should().NotBeNull();
        allowed.Objects.Single().Outcome.Should().Be(ApplyOutcome.Deleted);
        (await t.GetAsync(cm.Key, "v1")).Should().BeNull();
    }

    [Fact]
    public async Task Reconcile_CrashAfterFailedApply_NextRunPrunesWhatTheInterruptedRunCreated()
    {
        await using var t = await KubeTarget.StartAsync(o => o.MaxRetries = 0);
        var a = ConfigMap("a", "default", App);
        var b = ConfigMap("b", "default", App);
        await t.ReconcileAsync(App, [a, b]);

        // Revision 2 adds c, d, e; the third apply (e) fails and the process "crashes" before the final inventory write.
        var fault = t.Api.Faults.Add(new FaultRule { Verb = "apply", Resource = "configmaps", Name = "e", StatusCode = 500 });
        var c = ConfigMap("c", "default", App);
        var d = ConfigMap("d", "default", App);
        var e = ConfigMap("e", "default", App);
        var crashed = await t.ReconcileAsync(App, [a, c, d, e], crashAfterApply: true);
        t.Api.Faults.Remove(fault);
        crashed.Objects.Single(o => o.Key == e.Key).Outcome.Should().Be(ApplyOutcome.Failed);
        (await t.GetAsync(c.Key, "v1")).Should().NotBeNull("c was created before the crash");

        // A new process (fresh store instance) reconciles revision 3, which declares only a.
        var restarted = new KubernetesInventoryStore(t.Client, t.Options);
        (await restarted.GetAsync(App, CancellationToken.None))!.Entries.Select(x => x.Key.Name).Should().Equal("a", "b", "c", "d", "e");
        var result = await t.ReconcileAsync(App, [a]);

        result.Succeeded.Should().BeTrue(string.Join("; ", result.Objects.Select(o => o.Message)));
        foreach (var gone in new[] { b, c, d })
        {
            (await t.GetAsync(gone.Key, "v1")).Should().BeNull($"{gone.Key.Name} was tracked through the crash and pruned");
        }

        (await t.GetAsync(a.Key, "v1")).Should().NotBeNull();
        (await restarted.GetAsync(App, CancellationToken.None))!.Entries.Select(x => x.Key.Name).Should().Equal("a");
    }
}
