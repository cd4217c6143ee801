using System.Collections.Immutable;
using GitOps.Sdk.Reconciliation;

namespace GitOps.Sdk.Tests.Reconciliation;

/// <summary>
/// Health right after an apply reads the live state, which may come from a watch cache that has not seen the engine's
/// own writes yet; the objects the server returned for those writes stand in for reads that lag behind them.
/// </summary>
public sealed class HealthReadBackTests
{
    private static readonly ResourceKey Key = new("apps", "Deployment", "shop", "web");

    [Fact]
    public void Overlay_CreatedObjectNotYetInTheCache_UsesTheObjectTheServerReturned()
    {
        var written = Deployment("12", ready: 2);

        var merged = HealthStage.Overlay(new Dictionary<ResourceKey, KubeObject>(), Written(ApplyOutcome.Created, written));

        merged.Should().ContainKey(Key).WhoseValue.Should().BeSameAs(written);
    }

    [Fact]
    public void Overlay_CacheHoldsAnOlderResourceVersion_UsesTheWrittenObject()
    {
        var written = Deployment("12", ready: 2);

        var merged = HealthStage.Overlay(Live(Deployment("9", ready: 0)), Written(ApplyOutcome.Configured, written));

        merged[Key].Should().BeSameAs(written);
    }

    [Fact]
    public void Overlay_CacheHoldsANewerResourceVersion_KeepsTheRead()
    {
        var newer = Deployment("15", ready: 2);

        var merged = HealthStage.Overlay(Live(newer), Written(ApplyOutcome.Configured, Deployment("12", ready: 0)));

        merged[Key].Should().BeSameAs(newer, "a controller updated the object since the write");
    }

    [Theory]
    [InlineData(ApplyOutcome.Failed)]
    [InlineData(ApplyOutcome.Skipped)]
    [InlineData(ApplyOutcome.Deleted)]
    public void Overlay_StepThatWroteNothingLive_LeavesTheRead(ApplyOutcome outcome)
    {
        var live = Live(Deployment("9", ready: 0));

        HealthStage.Overlay(live, Written(outcome, Deployment("12", ready: 2))).Should().BeSameAs(live);
    }

    [Fact]
    public void Overlay_ResourceVersionsThatAreNotNumbers_KeepTheRead()
    {
        var read = Deployment("abc", ready: 0);

        HealthStage.Overlay(Live(read), Written(ApplyOutcome.Configured, Deployment("12", ready: 2)))[Key].Should().BeSameAs(read);
    }

    private static IReadOnlyDictionary<ResourceKey, KubeObject> Live(KubeObject o) => new Dictionary<ResourceKey, KubeObject> { [Key] = o };

    private static ApplyResult Written(ApplyOutcome outcome, KubeObject result) =>
        new() { Objects = [new ObjectApplyResult(Key, outcome) { Result = result }] };

    private static KubeObject Deployment(string resourceVersion, int ready) => KubeObject.Parse(
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\",\"namespace\":\"shop\",\"resourceVersion\":\"" + resourceVersion
        + "\",\"generation\":1},\"spec\":{\"replicas\":2},\"status\":{\"observedGeneration\":1,\"replicas\":2,\"readyReplicas\":" + ready
        + ",\"updatedReplicas\":2,\"availableReplicas\":" + ready + "}}");
}
