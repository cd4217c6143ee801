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
    public void Pending_PreviousPlusPlannedWrites_WithoutAppliedHashAndWithoutRefused()
    {
        var refused = Cm("unmarked", owner: null);
        var plan = new ApplyPlan
        {
            Application = "shop",
            Steps =
            [
                new PlanStep { Key = Cm("kept").Key, Action = PlanAction.None, Desired = Cm("kept"), Live = Cm("kept") },
                new PlanStep { Key = Cm("new").Key, Action = PlanAction.Apply, Desired = Cm("new") },
                new PlanStep
                {
                    Key = refused.Key,
                    Action = PlanAction.Skip,
                    Desired = refused,
                    Live = refused,
                    Refusal = new PlanRefusal(PlanRefusalRules.NotMarked, null, "AllowAdoption"),
                },
            ],
        };

        var pending = InventoryUpdates.Pending(Of(Cm("old"), Cm("kept")) with { Revision = "main@sha1:1" }, plan);

        pending.Entries.Select(e => e.Key.Name).Should().Equal("kept", "new", "old");
        pending.Entries.Single(e => e.Key.Name == "new").AppliedHash.Should().BeNull("nothing is applied yet: a crash must not make live differences look like someone else's drift");
        pending.Revision.Should().Be("main@sha1:1", "the pending inventory records no new revision");
    }

    [Fact]
    public void Completed_DropsDeletedForeignAndGone_KeepsFailedHeldAndOptedOut()
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
                new PlanStep { Key = foreign.Key, Action = PlanAction.Skip, Live = foreign, Refusal = new PlanRefusal(PlanRefusalRules.OwnedByOtherApplication, "billing", "AllowTakeover") },
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
        var previous = Of(deleted, failed, optedOut, foreign, held, Cm("gone"));
        var live = new[] { deleted, failed, optedOut, foreign, held }.ToDictionary(o => o.Key);

        var completed = InventoryUpdates.Completed(InventoryUpdates.Pending(previous, plan), previous, plan, result, desired, live);

        // Opted out of pruning: still this application's (marked, live), so removing the annotation lets a later run prune it.
        completed.Entries.Select(e => e.Key.Name).Should().Equal("failed", "held", "kept", "opted-out");
        completed.Entries.Single(e => e.Key.Name == "kept").AppliedHash.Should().Be(Cm("kept").ContentHash);
        completed.Revision.Should().Be("main@sha1:2");
    }

    [Fact]
    public void Completed_FailedWrite_KeepsThePreviousAppliedHash()
    {
        var v1 = Cm("a");
        var v2 = KubeObject.Parse(v1.Json.GetRawText().Replace("\"prod\"", "\"prod\",\"annotations\":{\"v\":\"2\"}", StringComparison.Ordinal));
        var previous = new GitOps.Sdk.Inventory { Application = "shop", Entries = [new InventoryEntry(v1.Key, v1.ApiVersion) { AppliedHash = v1.ContentHash }] };
        var plan = new ApplyPlan { Application = "shop", Steps = [new PlanStep { Key = v2.Key, Action = PlanAction.Apply, Desired = v2, Live = v1 }] };
        var result = new ApplyResult { Objects = [new ObjectApplyResult(v2.Key, ApplyOutcome.Failed, "boom")] };

        var completed = InventoryUpdates.Completed(InventoryUpdates.Pending(previous, plan), previous, plan, result, new DesiredState { Objects = [v2] }, new Dictionary<ResourceKey, KubeObject> { [v1.Key] = v1 });

        v2.ContentHash.Should().NotBe(v1.ContentHash);
        completed.Entries.Should().ContainSingle().Which.AppliedHash.Should().Be(v1.ContentHash, "the failed write did not apply the new content");
    }
}
