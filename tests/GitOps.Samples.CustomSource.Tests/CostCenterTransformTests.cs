using GitOps.Sdk;
using Microsoft.Extensions.Options;

namespace GitOps.Samples.CustomSource.Tests;

public sealed class CostCenterTransformTests
{
    private static readonly KubeObject Labelled = KubeObject.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"shop","labels":{"app":"a"}}}""");
    private static readonly KubeObject Bare = KubeObject.Parse("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}}""");

    [Fact]
    public async Task TransformAsync_ApplicationWithCostCenter_LabelsEveryObjectAndKeepsOtherLabels()
    {
        var transform = Transform(o => o.ByApplication["shop"] = "cc-42");

        var result = await transform.TransformAsync(new DesiredState { Objects = [Labelled, Bare] }, Context("shop"), CancellationToken.None);

        result.Succeeded.Should().BeTrue();
        result.State.Objects.Should().HaveCount(2).And.OnlyContain(o => Label(o, "example.com/cost-center") == "cc-42");
        Label(result.State.Objects[0], "app").Should().Be("a");
    }

    [Fact]
    public async Task TransformAsync_NoCostCenterForApplication_ReturnsStateUnchanged()
    {
        var state = new DesiredState { Objects = [Labelled] };

        var result = await Transform(o => o.ByApplication["other"] = "cc-1").TransformAsync(state, Context("shop"), CancellationToken.None);

        result.State.Should().BeSameAs(state);
    }

    [Fact]
    public async Task TransformAsync_ObjectClaimsAnotherCostCenter_FailsNamingTheObject()
    {
        var claimed = KubeObject.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b","namespace":"shop","labels":{"example.com/cost-center":"cc-7"}}}""");

        var result = await Transform(o => o.Default = "cc-42").TransformAsync(new DesiredState { Objects = [claimed] }, Context("shop"), CancellationToken.None);

        result.Succeeded.Should().BeFalse();
        result.Errors.Should().ContainSingle().Which.Object.Should().Be(claimed.Key);
        result.Errors[0].Message.Should().Contain("cc-7").And.Contain("cc-42").And.Contain("'shop'");
    }

    private static CostCenterTransform Transform(Action<CostCenterOptions> configure)
    {
        var options = new CostCenterOptions();
        configure(options);
        return new CostCenterTransform(Options.Create(options));
    }

    private static RenderTransformContext Context(string application) => new()
    {
        Artifact = new SourceArtifact { Source = new SourceReference { Url = "x" }, Revision = "r", Digest = "d", RootDirectory = "/tmp" },
        Options = new RenderOptions { ApplicationName = application },
    };

    private static string? Label(KubeObject o, string name) =>
        o.Json.GetProperty("metadata").TryGetProperty("labels", out var l) && l.TryGetProperty(name, out var v) ? v.GetString() : null;
}
