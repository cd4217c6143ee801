using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using static GitOps.Sdk.EndToEnd.Tests.Safety.SafetyWorld;

namespace GitOps.Sdk.EndToEnd.Tests.Safety;

/// <summary>
/// Ownership (issue 14, items 1 and 2): an application writes, records and prunes only what it applied with its mark.
/// Each case runs the real reconciler with a git daemon and the Kubernetes target against the emulator over HTTP, and
/// checks the live objects afterwards.
/// </summary>
public sealed class OwnershipSafetyTests
{
    private const string HandMade = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: human\n  namespace: team\ndata:\n  owner: a-person\n";

    [Fact]
    public async Task HandMadeObject_RefusedEveryRun_NeverRecordedOverwrittenOrPruned()
    {
        await using var world = await CreateAsync();
        await world.Api.CreateAsync(HandMade, manager: "kubectl-create");
        await world.PushAsync("shop", ("human.yaml", ConfigMap("human", "shop")), ("mine.yaml", ConfigMap("mine", "shop")));

        var first = await world.ReconcileAsync("shop", a => a with { Prune = true });

        first.Outcome.Should().Be(ReconcileOutcome.Refused, first.ToString());
        world.Data("human").Should().Be("a-person", "a refused object is not written");
        Label(world.Get("ConfigMap", "human")).Should().BeNull();
        world.Data("mine").Should().Be("shop", "the rest of the revision is applied");
        first.InventoryHas(ConfigMapKey("human")).Should().BeFalse("a refused object is never recorded");
        first.InventoryHas(ConfigMapKey("mine")).Should().BeTrue();
        var refusal = first.Result.Refused.Should().ContainSingle().Subject;
        refusal.Key.Should().Be(ConfigMapKey("human"));
        refusal.Rule.Should().Be(PlanRefusalRules.NotMarked);
        refusal.Option.Should().Be("AllowAdoption");
        refusal.Owner.Should().Contain("kubectl-create", "the refusal names who made the object");
        first.Events.OfType<ObjectsRefused>().Should().ContainSingle();
        first.Warnings.Should().Contain(l => l.Message.Contains("/ConfigMap/team/human", StringComparison.Ordinal)
            && l.Message.Contains("kubectl-create", StringComparison.Ordinal)
            && l.Message.Contains("'shop'", StringComparison.Ordinal)
            && l.Message.Contains("AllowAdoption", StringComparison.Ordinal));
        var ready = first.Status.Conditions.Single(c => c.Type == ConditionTypes.Ready);
        ready.Status.Should().Be(ConditionStatus.False);
        ready.Reason.Should().Be("OwnershipConflict");
        ready.Message.Should().Contain("/ConfigMap/team/human");
        first.Status.Objects.Single(o => o.Key == ConfigMapKey("human")).Health.Message.Should().Contain("not owned", "health is not assessed on someone else's object");

        var second = await world.ReconcileAsync("shop", a => a with { Prune = true });

        second.Outcome.Should().Be(ReconcileOutcome.Refused, "refused once is refused again: {0}", second);
        world.Data("human").Should().Be("a-person", "the second run must not overwrite it either");
        second.InventoryHas(ConfigMapKey("human")).Should().BeFalse();

        await world.PushAsync("shop", ("human.yaml", null));
        var third = await world.ReconcileAsync("shop", a => a with { Prune = true });

        third.Outcome.Should().Be(ReconcileOutcome.Synced, "the application never owned it, so there is nothing to prune: {0}", third);
        world.Data("human").Should().Be("a-person", "an object the application never owned is never pruned");
        world.Data("mine").Should().Be("shop");
        third.Events.OfType<Pruned>().Should().BeEmpty();
    }

    [Fact]
    public async Task Adoption_OffOnThenPrune_OverThreeRuns()
    {
        await using var world = await CreateAsync();
        await world.Api.CreateAsync(HandMade, manager: "kubectl-create");
        await world.PushAsync("shop", ("human.yaml", ConfigMap("human", "shop")));

        var off = await world.ReconcileAsync("shop");
        off.Outcome.Should().Be(ReconcileOutcome.Refused, off.ToString());
        world.Data("human").Should().Be("a-person");

        var on = await world.ReconcileAsync("shop", a => a with { AllowAdoption = true });
        on.Outcome.Should().Be(ReconcileOutcome.Applied, on.ToString());
        on.Result.Apply!.Objects.Single(o => o.Key == ConfigMapKey("human")).Message.Should().StartWith("adopted");
        world.Data("human").Should().Be("shop");
        Label(world.Get("ConfigMap", "human")).Should().Be("shop");
        on.InventoryHas(ConfigMapKey("human")).Should().BeTrue("an adopted object is the application's from now on");

        await world.PushAsync("shop", ("human.yaml", null), ("other.yaml", ConfigMap("other", "shop")));
        var prune = await world.ReconcileAsync("shop", a => a with { Prune = true });
        prune.Outcome.Should().Be(ReconcileOutcome.Applied, prune.ToString());
        world.Get("ConfigMap", "human").Should().BeNull("an adopted object is pruned like any other the application owns");
        prune.InventoryHas(ConfigMapKey("human")).Should().BeFalse();
    }

    [Theory]
    [InlineData("alpha", "beta")]
    [InlineData("beta", "alpha")]
    public async Task TwoApplications_SameObject_FirstOwnerKeepsIt(string first, string second)
    {
        await using var world = await CreateAsync();
        await world.PushAsync(first, ("shared.yaml", ConfigMap("shared", first)), ("own.yaml", ConfigMap("own-" + first, first)));
        await world.PushAsync(second, ("shared.yaml", ConfigMap("shared", second)), ("own.yaml", ConfigMap("own-" + second, second)));

        (await world.ReconcileAsync(first)).Outcome.Should().Be(ReconcileOutcome.Applied);
        var refused = await world.ReconcileAsync(second);

        refused.Outcome.Should().Be(ReconcileOutcome.Refused, refused.ToString());
        world.Data("shared").Should().Be(first, "the second application does not take the first one's object");
        Label(world.Get("ConfigMap", "shared")).Should().Be(first);
        world.Data("own-" + second).Should().Be(second);
        refused.InventoryHas(ConfigMapKey("shared")).Should().BeFalse();
        var refusal = refused.Result.Refused.Should().ContainSingle().Subject;
        refusal.Rule.Should().Be(PlanRefusalRules.OwnedByOtherApplication);
        refusal.Owner.Should().Be(first);
        refusal.Option.Should().Be("AllowTakeover");
        refusal.Reason.Should().Contain($"'{first}'").And.Contain($"'{second}'").And.Contain("AllowTakeover");
        refused.Warnings.Should().Contain(l => l.Message.Contains($"'{first}'", StringComparison.Ordinal) && l.Message.Contains($"'{second}'", StringComparison.Ordinal));

        // The second application drops the object and prunes: the first one's object stays.
        await world.PushAsync(second, ("shared.yaml", null));
        var pruned = await world.ReconcileAsync(second, a => a with { Prune = true });
        pruned.Outcome.Should().Be(ReconcileOutcome.Synced, pruned.ToString());
        world.Data("shared").Should().Be(first);

        var again = await world.ReconcileAsync(first);
        again.Outcome.Should().Be(ReconcileOutcome.Synced, again.ToString());
        again.InventoryHas(ConfigMapKey("shared")).Should().BeTrue();
    }

    [Fact]
    public async Task Takeover_OnlyWithAllowTakeover_ThenFormerOwnerLetsGo()
    {
        await using var world = await CreateAsync();
        await world.PushAsync("alpha", ("shared.yaml", ConfigMap("shared", "alpha")));
        await world.PushAsync("beta", ("shared.yaml", ConfigMap("shared", "beta")));
        (await world.ReconcileAsync("alpha")).Outcome.Should().Be(ReconcileOutcome.Applied);

        var taken = await world.ReconcileAsync("beta", b => b with { AllowTakeover = true });

        taken.Outcome.Should().Be(ReconcileOutcome.Applied, taken.ToString());
        taken.Result.Apply!.Objects.Single(o => o.Key == ConfigMapKey("shared")).Message.Should().Contain("adopted from application 'alpha'");
        world.Data("shared").Should().Be("beta");
        Label(world.Get("ConfigMap", "shared")).Should().Be("beta");

        var former = await world.ReconcileAsync("alpha");
        former.Outcome.Should().Be(ReconcileOutcome.Refused, "alpha still declares it, but beta owns it now: {0}", former);
        world.Data("shared").Should().Be("beta");
        former.InventoryHas(ConfigMapKey("shared")).Should().BeFalse("alpha lets go of an object another application took over");

        await world.PushAsync("alpha", ("shared.yaml", null), ("other.yaml", ConfigMap("other", "alpha")));
        var prune = await world.ReconcileAsync("alpha", a => a with { Prune = true });
        prune.Outcome.Should().Be(ReconcileOutcome.Applied, prune.ToString());
        world.Data("shared").Should().Be("beta", "alpha never prunes what beta owns");
    }

    [Fact]
    public async Task DetectOnly_AllObjectsHeldByAnotherOwner_IsRefusedNotSynced()
    {
        await using var world = await CreateAsync();
        await world.PushAsync("alpha", ("shared.yaml", ConfigMap("shared", "alpha")));
        await world.PushAsync("beta", ("shared.yaml", ConfigMap("shared", "beta")));
        (await world.ReconcileAsync("alpha")).Outcome.Should().Be(ReconcileOutcome.Applied);

        var dry = await world.ReconcileAsync("beta", b => b with { Mode = ReconcileMode.DetectOnly });

        dry.Outcome.Should().Be(ReconcileOutcome.Refused, dry.ToString());
        dry.Result.Refused.Should().ContainSingle().Which.Owner.Should().Be("alpha");
        dry.Result.Health!.Status.Should().NotBe(HealthStatus.Healthy, "the health of alpha's object is not beta's");
        world.Data("shared").Should().Be("alpha");
    }
}
