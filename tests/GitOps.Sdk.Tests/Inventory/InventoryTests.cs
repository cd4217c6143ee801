namespace GitOps.Sdk.Tests.Inventories;

public class InventoryTests
{
    private static KubeObject Cm(string name, string? owner = "shop", string? prune = null)
    {
        var ann = prune is null ? string.Empty : $",\"annotations\":{{\"{WellKnown.PruneAnnotation}\":\"{prune}\"}}";
        var labels = owner is null ? string.Empty : $",\"labels\":{{\"{WellKnown.ApplicationLabel}\":\"{owner}\"}}";
        return KubeObject.Parse($"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\",\"namespace\":\"prod\"{labels}{ann}}}}}");
    }

    private static GitOps.Sdk.Inventory Of(params KubeObject[] objects) =>
        new() { Application = "shop", Entries = [.. objects.Select(o => new InventoryEntry(o.Key, o.ApiVersion))] };

    [Fact]
    public async Task InMemoryStore_SaveGetDelete_RoundTrips()
    {
        var store = new InMemoryInventoryStore();
        (await store.GetAsync("shop", CancellationToken.None)).Should().BeNull();

        await store.SaveAsync(Of(Cm("b"), Cm("a")) with { Revision = "main@sha1:1" }, CancellationToken.None);
        var read = await store.GetAsync("shop", CancellationToken.None);

        read!.Revision.Should().Be("main@sha1:1");
        read.Entries.Select(e => e.Key.Name).Should().Equal("a", "b");
        await store.DeleteAsync("shop", CancellationToken.None);
        (await store.GetAsync("shop", CancellationToken.None)).Should().BeNull();
    }

    [Fact]
    public void Pending_UnionOfPreviousAndDesired()
    {
        var pending = InventoryUpdates.Pending("shop", Of(Cm("old"), Cm("kept")), new DesiredState { Objects = [Cm("kept"), Cm("new")] });

        pending.Entries.Select(e => e.Key.Name).Should().Equal("kept", "new", "old");
        pending.Entries.Single(e => e.Key.Name == "new").AppliedHash.Should().Be(Cm("new").ContentHash);
    }

    [Fact]
    public void Completed_DropsDeletedAndOptedOut_KeepsFailedAndHeld()
    {
        var deleted = Cm("deleted");
        var failed = Cm("failed");
        var optedOut = Cm("opted-out", prune: "disabled");
        var foreign = Cm("foreign", owner: "billing");
        var held = Cm("held");
        var desired = new DesiredState { Objects = [Cm("kept")], Revision = "main@sha1:2" };
        var plan = new ApplyPlan
        {
            Application = "shop",
            Steps =
            [
                new PlanStep { Key = Cm("kept").Key, Action = PlanAction.Apply, Desired = Cm("kept") },
                new PlanStep { Key = deleted.Key, Action = PlanAction.Delete, Live = deleted },
                new PlanStep { Key = failed.Key, Action = PlanAction.Delete, Live = failed },
                new PlanStep { Key = optedOut.Key, Action = PlanAction.Skip, Live = optedOut },
                new PlanStep { Key = foreign.Key, Action = PlanAction.Skip, Live = foreign },
                new PlanStep { Key = held.Key, Action = PlanAction.Skip, Live = held },
            ],
        };
        var result = new ApplyResult
        {
            Objects =
            [
                new ObjectApplyResult(Cm("kept").Key, ApplyOutcome.Created),
                new ObjectApplyResult(deleted.Key, ApplyOutcome.Deleted),
                new ObjectApplyResult(failed.Key, ApplyOutcome.Failed, "boom"),
                new ObjectApplyResult(optedOut.Key, ApplyOutcome.Skipped),
                new ObjectApplyResult(foreign.Key, ApplyOutcome.Skipped),
                new ObjectApplyResult(held.Key, ApplyOutcome.Skipped),
            ],
        };

        var completed = InventoryUpdates.Completed("shop", Of(deleted, failed, optedOut, foreign, held, Cm("gone")), desired, plan, result);

        completed.Entries.Select(e => e.Key.Name).Should().Equal("failed", "held", "kept");
        completed.Revision.Should().Be("main@sha1:2");
    }
}
