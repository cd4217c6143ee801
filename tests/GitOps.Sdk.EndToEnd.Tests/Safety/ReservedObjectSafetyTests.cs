using GitOps.Sdk.Events;
using GitOps.Sdk.Kubernetes;
using GitOps.Sdk.Status;
using static GitOps.Sdk.EndToEnd.Tests.Safety.SafetyWorld;

namespace GitOps.Sdk.EndToEnd.Tests.Safety;

/// <summary>
/// Reserved objects and inventory integrity (issue 14, item 4): no application can declare, modify or prune the engine's
/// namespace or inventories; inventories carry a checksum and are written with optimistic concurrency. Real reconciler,
/// git daemon, Kubernetes target against the emulator over HTTP; live objects checked afterwards.
/// </summary>
public sealed class ReservedObjectSafetyTests
{
    private const string Inventories = "gitops-system";

    [Fact]
    public async Task DeclaringTheInventoryNamespace_WholeRevisionRefused_NothingAppliedNothingPruned()
    {
        await using var world = await CreateAsync();
        await world.PushAsync("shop", ("a.yaml", ConfigMap("a", "shop")), ("b.yaml", ConfigMap("b", "shop")));
        (await world.ReconcileAsync("shop")).Outcome.Should().Be(ReconcileOutcome.Applied);

        await world.PushAsync("shop", ("a.yaml", ConfigMap("a", "changed")), ("b.yaml", null), ("system.yaml", $"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {Inventories}\n"));
        var run = await world.ReconcileAsync("shop", a => a with { Prune = true });

        run.Outcome.Should().Be(ReconcileOutcome.Failed);
        run.Result.FailedStage.Should().Be(ReconcileStage.Plan);
        run.Result.Error.Should().Contain("'shop'").And.Contain("system.yaml").And.Contain("document").And.Contain($"/Namespace//{Inventories}").And.Contain("reserved");
        world.Data("a").Should().Be("shop", "nothing of a refused revision is applied");
        world.Data("b").Should().Be("shop", "nothing is pruned for a refused revision");
        Label(world.Get("Namespace", Inventories, null)).Should().BeNull("the application does not get the engine's namespace");
        run.InventoryHas(ConfigMapKey("b")).Should().BeTrue();
    }

    [Fact]
    public async Task DeclaringAnotherApplicationsInventory_Refused_ThatInventoryUntouched()
    {
        await using var world = await CreateAsync();
        await world.PushAsync("alpha", ("a.yaml", ConfigMap("a", "alpha")));
        (await world.ReconcileAsync("alpha")).Outcome.Should().Be(ReconcileOutcome.Applied);
        var before = world.Get("ConfigMap", KubernetesInventoryStore.ObjectName("alpha"), Inventories)!.ToJsonString();

        await world.PushAsync("beta", ("evil.yaml", $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {KubernetesInventoryStore.ObjectName("alpha")}\n  namespace: {Inventories}\ndata:\n  entries: \"[]\"\n"), ("b.yaml", ConfigMap("b", "beta")));
        var run = await world.ReconcileAsync("beta");

        run.Outcome.Should().Be(ReconcileOutcome.Failed);
        run.Result.Error.Should().Contain("evil.yaml").And.Contain($"/ConfigMap/{Inventories}/{KubernetesInventoryStore.ObjectName("alpha")}").And.Contain("reserved");
        world.Get("ConfigMap", KubernetesInventoryStore.ObjectName("alpha"), Inventories)!.ToJsonString().Should().Be(before);
        world.Get("ConfigMap", "b").Should().BeNull("the whole revision is refused");
        var alpha = await world.ReconcileAsync("alpha");
        alpha.Outcome.Should().Be(ReconcileOutcome.Synced, alpha.ToString());
        alpha.InventoryHas(ConfigMapKey("a")).Should().BeTrue();
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[{\"key\":\"/ConfigMap/team/someone-elses\",\"apiVersion\":\"v1\"}]")]
    public async Task CorruptedInventory_ClearErrorNamingIt_NothingPruned_RecoveredByDeletingIt(string entries)
    {
        await using var world = await CreateAsync();
        await world.PushAsync("shop", ("a.yaml", ConfigMap("a", "shop")), ("b.yaml", ConfigMap("b", "shop")));
        (await world.ReconcileAsync("shop")).Outcome.Should().Be(ReconcileOutcome.Applied);
        var name = KubernetesInventoryStore.ObjectName("shop");
        await world.Api.MutateAsync("v1", "ConfigMap", Inventories, name, o => o["data"]!["entries"] = entries, manager: "kubectl-edit");
        await world.PushAsync("shop", ("b.yaml", null));

        var run = await world.ReconcileAsync("shop", a => a with { Prune = true });

        run.Outcome.Should().Be(ReconcileOutcome.Failed);
        run.Result.Error.Should().Contain($"{Inventories}/{name}").And.Contain("corrupt").And.Contain("docs/security.md");
        world.Data("a").Should().Be("shop");
        world.Data("b").Should().Be("shop", "nothing is pruned on the strength of a corrupted inventory");

        // The documented recovery: delete the inventory; the next run records the desired objects that carry the mark.
        (await world.Api.DeleteAsync("v1", "ConfigMap", Inventories, name)).Should().BeTrue();
        var recovered = await world.ReconcileAsync("shop", a => a with { Prune = true });
        recovered.Outcome.Should().Be(ReconcileOutcome.Synced, recovered.ToString());
        recovered.InventoryHas(ConfigMapKey("a")).Should().BeTrue();
        world.Data("b").Should().Be("shop", "what the lost inventory knew is not guessed: b is left for a person to delete");
    }

    [Fact]
    public async Task StaleInventoryWrite_FailsWithConflict_DoesNotOverwrite()
    {
        await using var world = await CreateAsync();
        await world.PushAsync("shop", ("a.yaml", ConfigMap("a", "shop")));
        (await world.ReconcileAsync("shop")).Outcome.Should().Be(ReconcileOutcome.Applied);
        using var client1 = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(world.Api.KubeconfigPath));
        using var client2 = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(world.Api.KubeconfigPath));
        var first = new KubernetesInventoryStore(client1);
        var second = new KubernetesInventoryStore(client2);
        var read1 = (await first.GetAsync("shop", default))!;
        var read2 = (await second.GetAsync("shop", default))!;

        await second.SaveAsync(read2 with { Revision = "second-writer" }, default);
        var stale = async () => await first.SaveAsync(read1 with { Revision = "stale-writer" }, default);

        (await stale.Should().ThrowAsync<KubernetesApiException>()).Which.StatusCode.Should().Be(System.Net.HttpStatusCode.Conflict);
        (await new KubernetesInventoryStore(client1).GetAsync("shop", default))!.Revision.Should().Be("second-writer", "a stale write never overwrites");
    }
}
