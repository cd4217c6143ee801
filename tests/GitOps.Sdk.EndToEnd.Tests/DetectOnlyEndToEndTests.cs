using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using static GitOps.Sdk.EndToEnd.Tests.Safety.SafetyWorld;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>Detect-only on a drifted object (issue 15, item 7): reported, attributed, not corrected; a correcting run then fixes it.</summary>
public sealed class DetectOnlyEndToEndTests
{
    [Fact]
    public async Task DetectOnly_ObjectEditedByHand_DriftReportedNothingWritten_ThenCorrectModeReverts()
    {
        await using var world = await Safety.SafetyWorld.CreateAsync();
        await world.PushAsync("shop", ("a.yaml", ConfigMap("a", "shop")), ("b.yaml", ConfigMap("b", "shop")));
        (await world.ReconcileAsync("shop")).Outcome.Should().Be(ReconcileOutcome.Applied);
        await world.Api.MutateAsync("v1", "ConfigMap", Namespace, "a", o => o["data"]!["owner"] = "edited by hand", manager: "kubectl-edit");
        var before = (string?)world.Get("ConfigMap", "a")!["metadata"]!["resourceVersion"];

        var detect = await world.ReconcileAsync("shop", a => a with { Mode = ReconcileMode.DetectOnly });

        detect.Outcome.Should().Be(ReconcileOutcome.OutOfSync, detect.ToString());
        world.Data("a").Should().Be("edited by hand", "detect-only changes nothing");
        ((string?)world.Get("ConfigMap", "a")!["metadata"]!["resourceVersion"]).Should().Be(before, "not even a no-op write");
        var drift = detect.Result.Drift.Should().ContainSingle().Subject;
        drift.Key.Should().Be(ConfigMapKey("a"));
        var change = drift.Changes.Should().ContainSingle().Subject;
        change.Path.Should().Be("/data/owner");
        change.LiveValue.Should().Contain("edited by hand");
        change.Attribution!.Manager.Should().Be("kubectl-edit");
        detect.Events.OfType<DriftDetected>().Should().ContainSingle().Which.Objects.Should().ContainSingle().Which.Key.Should().Be(ConfigMapKey("a"));
        detect.Status.Is(ConditionTypes.Drifted).Should().BeTrue();
        detect.Status.Objects.Single(o => o.Key == ConfigMapKey("a")).Sync.Should().Be(SyncStatus.OutOfSync);
        detect.Status.Objects.Single(o => o.Key == ConfigMapKey("b")).Sync.Should().Be(SyncStatus.Synced);
        detect.Result.Apply.Should().BeNull("nothing is handed to the applier in detect-only");

        var correct = await world.ReconcileAsync("shop");

        correct.Outcome.Should().Be(ReconcileOutcome.Applied, correct.ToString());
        world.Data("a").Should().Be("shop");
    }
}
