using GitOps.Sdk.Events;
using GitOps.Sdk.Status;
using GitOps.Sdk.Testing;
using static GitOps.Sdk.EndToEnd.Tests.Safety.SafetyWorld;

namespace GitOps.Sdk.EndToEnd.Tests.Safety;

/// <summary>
/// Deletion guards (issue 14, item 3): pruning a container never deletes what the application does not prune with it.
/// Real reconciler, git daemon, Kubernetes target against the emulator over HTTP; live objects checked afterwards.
/// </summary>
public sealed class PruneGuardSafetyTests
{
    private const string Shop = "shop";

    private static string Namespace(string name) => $"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n";

    private const string Crd =
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.org\n" +
        "spec:\n  group: example.org\n  scope: Namespaced\n  names:\n    plural: widgets\n    singular: widget\n    kind: Widget\n" +
        "  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n" +
        "        x-kubernetes-preserve-unknown-fields: true\n";

    private static string Widget(string name, string owner) =>
        $"apiVersion: example.org/v1\nkind: Widget\nmetadata:\n  name: {name}\n  namespace: team\nspec:\n  owner: {owner}\n";

    [Fact]
    public async Task NamespaceDropped_WithForeignAndStillDesiredObjects_NotPruned_ReportsBlocking()
    {
        await using var world = await CreateAsync();
        await world.PushAsync(Shop, ("ns.yaml", Namespace("shop-ns")), ("a.yaml", ConfigMap("a", Shop, "shop-ns")), ("b.yaml", ConfigMap("b", Shop, "shop-ns")));
        (await world.ReconcileAsync(Shop)).Outcome.Should().Be(ReconcileOutcome.Applied);
        await world.Api.CreateAsync("apiVersion: v1\nkind: Secret\nmetadata:\n  name: foreign\n  namespace: shop-ns\nstringData:\n  k: v\n", manager: "kubectl-create");

        await world.PushAsync(Shop, ("ns.yaml", null), ("b.yaml", null));
        var run = await world.ReconcileAsync(Shop, a => a with { Prune = true });

        run.Outcome.Should().Be(ReconcileOutcome.Refused, run.ToString());
        world.Get("Namespace", "shop-ns", null).Should().NotBeNull("the namespace still holds objects that are not pruned with it");
        world.Data("a", @namespace: "shop-ns").Should().Be(Shop, "a still-desired object survives");
        world.Get("Secret", "foreign", "shop-ns").Should().NotBeNull("an object nobody gave to the application survives");
        world.Get("ConfigMap", "b", "shop-ns").Should().BeNull("what is pruned with the namespace is still pruned");
        var refusal = run.Result.Refused.Should().ContainSingle().Subject;
        refusal.Key.Should().Be(new ResourceKey(string.Empty, "Namespace", string.Empty, "shop-ns"));
        refusal.Rule.Should().Be(PlanRefusalRules.NamespaceNotEmpty);
        refusal.Option.Should().Be("AllowNonEmptyNamespacePrune");
        refusal.Blocking.Should().BeEquivalentTo([ConfigMapKey("a", "shop-ns"), new ResourceKey(string.Empty, "Secret", "shop-ns", "foreign")]);
        refusal.Reason.Should().Contain("/ConfigMap/shop-ns/a").And.Contain("/Secret/shop-ns/foreign");
        run.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Reason.Should().Be("PruneBlocked");
        run.InventoryHas(new ResourceKey(string.Empty, "Namespace", string.Empty, "shop-ns")).Should().BeTrue("a guarded prune is retried on later runs");

        var again = await world.ReconcileAsync(Shop, a => a with { Prune = true });
        again.Outcome.Should().Be(ReconcileOutcome.Refused, again.ToString());
        world.Get("Namespace", "shop-ns", null).Should().NotBeNull();
    }

    [Fact]
    public async Task NamespaceDropped_WithForeignObjects_PrunedOnlyWithOptIn()
    {
        await using var world = await CreateAsync();
        await world.PushAsync(Shop, ("ns.yaml", Namespace("shop-ns")), ("keep.yaml", ConfigMap("keep", Shop)));
        (await world.ReconcileAsync(Shop)).Outcome.Should().Be(ReconcileOutcome.Applied);
        await world.Api.CreateAsync(ConfigMap("foreign", "a-person", "shop-ns"), manager: "kubectl-create");
        await world.PushAsync(Shop, ("ns.yaml", null));

        var refused = await world.ReconcileAsync(Shop, a => a with { Prune = true });
        refused.Outcome.Should().Be(ReconcileOutcome.Refused, refused.ToString());
        world.Get("ConfigMap", "foreign", "shop-ns").Should().NotBeNull();

        var allowed = await world.ReconcileAsync(Shop, a => a with { Prune = true, AllowNonEmptyNamespacePrune = true });
        allowed.Outcome.Should().Be(ReconcileOutcome.Applied, allowed.ToString());
        allowed.Events.OfType<Pruned>().Single().Objects.Should().Equal(new ResourceKey(string.Empty, "Namespace", string.Empty, "shop-ns"));
        world.Data("keep").Should().Be(Shop);
    }

    [Fact]
    public async Task NamespaceAndAllItsContentsDropped_Pruned_ContentsBeforeContainer()
    {
        await using var world = await CreateAsync();
        await world.PushAsync(Shop, ("ns.yaml", Namespace("shop-ns")), ("a.yaml", ConfigMap("a", Shop, "shop-ns")), ("keep.yaml", ConfigMap("keep", Shop)));
        (await world.ReconcileAsync(Shop)).Outcome.Should().Be(ReconcileOutcome.Applied);

        // A later wave on the live Namespace: reverse wave order alone would delete it before its contents.
        await world.PushAsync(Shop, ("ns.yaml", Namespace("shop-ns").Replace("metadata:\n", "metadata:\n  annotations:\n    gitops.sdk.io/sync-wave: \"5\"\n", StringComparison.Ordinal)));
        (await world.ReconcileAsync(Shop)).Outcome.Should().Be(ReconcileOutcome.Applied);

        await world.PushAsync(Shop, ("ns.yaml", null), ("a.yaml", null));
        var run = await world.ReconcileAsync(Shop, a => a with { Prune = true });

        run.Outcome.Should().Be(ReconcileOutcome.Applied, run.ToString());
        world.Get("ConfigMap", "a", "shop-ns").Should().BeNull();
        await EndToEndEnvironment.WaitUntilAsync(() => world.Get("Namespace", "shop-ns", null) is null, "the namespace controller removed the pruned namespace");
        world.Data("keep").Should().Be(Shop);
        var deletes = run.Result.Plan!.Steps.Where(s => s.Action == PlanAction.Delete).Select(s => s.Key.Kind).ToList();
        deletes.Should().Equal(["ConfigMap", "Namespace"], "contents go before their container, whatever the waves say");
    }

    [Fact]
    public async Task CrdDropped_WithCustomResources_NotPruned_LaterRunsKeepWorking()
    {
        await using var world = await CreateAsync(new KubeApiEmulatorOptions { CrdEstablishDelay = TimeSpan.Zero });
        await world.PushAsync(Shop, ("crd.yaml", Crd));
        (await world.ReconcileAsync(Shop)).Outcome.Should().Be(ReconcileOutcome.Applied);
        await world.PushAsync(Shop, ("w1.yaml", Widget("w1", Shop)));
        (await world.ReconcileAsync(Shop)).Outcome.Should().Be(ReconcileOutcome.Applied);
        await world.Api.CreateAsync(Widget("theirs", "a-person"), manager: "kubectl-create");

        await world.PushAsync(Shop, ("crd.yaml", null));
        var run = await world.ReconcileAsync(Shop, a => a with { Prune = true });

        run.Outcome.Should().Be(ReconcileOutcome.Refused, run.ToString());
        world.Get("CustomResourceDefinition", "widgets.example.org", null, "apiextensions.k8s.io/v1").Should().NotBeNull();
        world.Get("Widget", "w1", apiVersion: "example.org/v1").Should().NotBeNull("the application's still-desired custom resource survives");
        world.Get("Widget", "theirs", apiVersion: "example.org/v1").Should().NotBeNull("other users' custom resources survive");
        var refusal = run.Result.Refused.Should().ContainSingle().Subject;
        refusal.Rule.Should().Be(PlanRefusalRules.CustomResourcesExist);
        refusal.Option.Should().Be("AllowCrdPruneWithResources");
        refusal.Blocking.Should().BeEquivalentTo([new ResourceKey("example.org", "Widget", "team", "w1"), new ResourceKey("example.org", "Widget", "team", "theirs")]);

        var later = await world.ReconcileAsync(Shop, a => a with { Prune = true });
        later.Outcome.Should().Be(ReconcileOutcome.Refused, "a later run still maps the kind and reports the same guard: {0}", later);
    }

    [Fact]
    public async Task CrdAndAllItsResourcesDropped_Pruned()
    {
        await using var world = await CreateAsync(new KubeApiEmulatorOptions { CrdEstablishDelay = TimeSpan.Zero });
        await world.PushAsync(Shop, ("crd.yaml", Crd), ("keep.yaml", ConfigMap("keep", Shop)));
        (await world.ReconcileAsync(Shop)).Outcome.Should().Be(ReconcileOutcome.Applied);
        await world.PushAsync(Shop, ("w1.yaml", Widget("w1", Shop)));
        (await world.ReconcileAsync(Shop)).Outcome.Should().Be(ReconcileOutcome.Applied);

        await world.PushAsync(Shop, ("crd.yaml", null), ("w1.yaml", null));
        var run = await world.ReconcileAsync(Shop, a => a with { Prune = true });

        run.Outcome.Should().Be(ReconcileOutcome.Applied, run.ToString());
        world.Get("CustomResourceDefinition", "widgets.example.org", null, "apiextensions.k8s.io/v1").Should().BeNull();
        run.Result.Plan!.Steps.Where(s => s.Action == PlanAction.Delete).Select(s => s.Key.Kind).Should().Equal(["Widget", "CustomResourceDefinition"]);
    }

    [Fact]
    public async Task PruneOptOutAnnotation_ObjectSurvivesRemovalFromSource()
    {
        await using var world = await CreateAsync();
        await world.PushAsync(Shop, ("kept.yaml", ConfigMap("kept", Shop, extraMetadata: "  annotations:\n    gitops.sdk.io/prune: disabled\n")), ("keep.yaml", ConfigMap("keep", Shop)));
        (await world.ReconcileAsync(Shop)).Outcome.Should().Be(ReconcileOutcome.Applied);

        await world.PushAsync(Shop, ("kept.yaml", null));
        var run = await world.ReconcileAsync(Shop, a => a with { Prune = true });

        world.Data("kept").Should().Be(Shop, "the opt-out annotation keeps it: {0}", run);
        run.Events.OfType<Pruned>().Should().BeEmpty();
    }

    [Fact]
    public async Task EmptyRender_PrunesNothing()
    {
        await using var world = await CreateAsync();
        await world.PushAsync(Shop, ("a.yaml", ConfigMap("a", Shop)), ("b.yaml", ConfigMap("b", Shop)));
        (await world.ReconcileAsync(Shop)).Outcome.Should().Be(ReconcileOutcome.Applied);

        await world.PushAsync(Shop, ("a.yaml", null), ("b.yaml", null), ("notes.txt", "nothing to deploy\n"));
        var run = await world.ReconcileAsync(Shop, a => a with { Prune = true });

        world.Data("a").Should().Be(Shop, "an empty render prunes nothing without AllowEmptyPrune: {0}", run);
        world.Data("b").Should().Be(Shop);
        run.Events.OfType<Pruned>().Should().BeEmpty();
        run.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Status.Should().Be(ConditionStatus.False, "pruning everything was refused, not done");
    }

    [Fact]
    public async Task FailedRender_AppliesNothing_PrunesNothing()
    {
        await using var world = await CreateAsync();
        await world.PushAsync(Shop, ("a.yaml", ConfigMap("a", Shop)), ("b.yaml", ConfigMap("b", Shop)));
        (await world.ReconcileAsync(Shop)).Outcome.Should().Be(ReconcileOutcome.Applied);

        await world.PushAsync(Shop, ("a.yaml", ConfigMap("a", "changed")), ("b.yaml", null), ("broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n"));
        var run = await world.ReconcileAsync(Shop, a => a with { Prune = true });

        run.Outcome.Should().Be(ReconcileOutcome.Failed);
        run.Result.Error.Should().Contain("broken.yaml");
        world.Data("a").Should().Be(Shop, "nothing of a bad revision is applied");
        world.Data("b").Should().Be(Shop, "nothing is pruned after a failed render");
    }
}
