using GitOps.Sdk.Rendering;
using GitOps.Sdk.TestUtilities;
using static GitOps.Sdk.Tests.Rendering.RenderingTestKit;

namespace GitOps.Sdk.Tests.Rendering;

/// <summary>Automatic selection through the renderers' <see cref="IRenderer.Detection"/>: markers, kinds, priority, ties.</summary>
public sealed class RendererDetectionTests : IDisposable
{
    private readonly TempDirectory _temp = new("renderer-detection");
    private readonly RecordingRenderer _plain = new("plain", _ => true, ConfigMap("from-plain"));
    private readonly RecordingRenderer _kustomize = new("kustomize", _ => false) { Detection = KustomizeDetection };
    private readonly RecordingRenderer _helm = new("helm", _ => false) { Detection = HelmDetection };

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void SelectRenderer_ThirdPartyMarker_PicksThatRenderer()
    {
        _temp.WriteFile("app/jsonnetfile.json", "{}");
        var jsonnet = Jsonnet();
        var stage = Stage(jsonnet);

        stage.SelectRenderer(Artifact(_temp.Path, "app"), new RenderOptions(), out var error).Should().BeSameAs(jsonnet);
        error.Should().BeNull();
        stage.SelectRenderer(Artifact(_temp.Path), new RenderOptions(), out _).Should().BeSameAs(_plain, "the marker is in app/, not at the root");
    }

    [Fact]
    public void SelectRenderer_BothMarkers_HigherPriorityWins()
    {
        _temp.WriteFile("jsonnetfile.json", "{}");
        _temp.WriteFile("kustomization.yaml", "resources: []");
        _temp.WriteFile("Chart.yaml", "name: x");
        var low = Jsonnet();
        var high = Jsonnet(priority: RendererDetection.KustomizePriority + 1);

        Stage(low).SelectRenderer(Artifact(_temp.Path), new RenderOptions(), out _).Should().BeSameAs(_kustomize);
        Stage(high).SelectRenderer(Artifact(_temp.Path), new RenderOptions(), out _).Should().BeSameAs(high);
    }

    [Fact]
    public async Task RenderAsync_TwoRenderersAtTheSamePriority_FailsNamingBothAndTheFolder()
    {
        _temp.WriteFile("deploy/jsonnetfile.json", "{}");
        var first = Jsonnet("jsonnet");
        var second = Jsonnet("tanka");
        var stage = Stage(first, second);

        var result = await stage.RenderAsync(Artifact(_temp.Path, "deploy"), new RenderOptions { ApplicationName = "shop" }, default);

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Code.Should().Be("no-renderer");
        error.Message.Should().Contain("'deploy'").And.Contain("'jsonnet' (jsonnetfile.json)").And.Contain("'tanka' (jsonnetfile.json)")
            .And.Contain("priority 0");
        (first.Calls + second.Calls + _plain.Calls).Should().Be(0);
        stage.SelectRenderer(Artifact(_temp.Path, "deploy"), new RenderOptions { Renderer = "tanka" }, out _).Should().BeSameAs(second, "naming one settles the tie");
    }

    [Fact]
    public void SelectRenderer_HelmChartKind_KindDeclaredRendererWinsWithoutMarker()
    {
        // An OCI chart: the source says what it is, whatever the folder holds (here nothing).
        var oci = Artifact(_temp.Path, kind: ArtifactKinds.HelmChart);
        var chartAware = new RecordingRenderer("helm-oci", _ => false) { Detection = new() { ArtifactKinds = [ArtifactKinds.HelmChart], Priority = 150 } };

        Stage().SelectRenderer(oci, new RenderOptions(), out _).Should().BeSameAs(_helm);
        Stage(chartAware).SelectRenderer(oci, new RenderOptions(), out _).Should().BeSameAs(chartAware, "150 is above Helm's 100");
        Stage().SelectRenderer(Artifact(_temp.Path, kind: ArtifactKinds.Manifests), new RenderOptions(), out _).Should().BeSameAs(_plain);
    }

    [Theory]
    [InlineData(null, "the folder holds Chart.yaml")]
    [InlineData(ArtifactKinds.HelmChart, "the artifact is of artifact kind 'helm-chart'")]
    public async Task RenderAsync_ChartWithoutHelmRenderer_SaysWhichRegistrationIsMissing(string? kind, string evidence)
    {
        if (kind is null)
        {
            _temp.WriteFile("Chart.yaml", "name: x");
        }

        var stage = new RenderStage([_plain, _kustomize], [], Options());

        var result = await stage.RenderAsync(Artifact(_temp.Path, kind: kind), new RenderOptions(), default);

        result.Errors.Should().ContainSingle().Which.Message.Should().Contain(evidence + ", so it needs the 'helm' renderer, which is not registered (call AddHelmRenderer(); registered: plain, kustomize)");
        _plain.Calls.Should().Be(0);
    }

    [Fact]
    public void SelectRenderer_UnregisteredWellKnownRenderer_RanksLikeTheRegisteredOnes()
    {
        _temp.WriteFile("jsonnetfile.json", "{}");
        _temp.WriteFile("kustomization.yaml", "resources: []");
        var low = Jsonnet();
        var high = Jsonnet(priority: 500);

        new RenderStage([_plain, low], [], Options()).SelectRenderer(Artifact(_temp.Path), new RenderOptions(), out var error).Should().BeNull();
        error.Should().Contain("AddKustomizeRenderer()");
        new RenderStage([_plain, high], [], Options()).SelectRenderer(Artifact(_temp.Path), new RenderOptions(), out error).Should().BeSameAs(high);
        error.Should().BeNull();
    }

    [Fact]
    public void SelectRenderer_DeclaredRenderer_IsNotAskedThroughCanRender()
    {
        var declared = new RecordingRenderer("jsonnet", _ => true) { Detection = new() { MarkerFiles = ["jsonnetfile.json"] } };
        var undeclared = new RecordingRenderer("cue", _ => true);

        Stage(declared).SelectRenderer(Artifact(_temp.Path), new RenderOptions(), out _).Should().BeSameAs(_plain);
        Stage(declared, undeclared).SelectRenderer(Artifact(_temp.Path), new RenderOptions(), out _).Should().BeSameAs(undeclared);
    }

    private static RecordingRenderer Jsonnet(string name = "jsonnet", int priority = 0) =>
        new(name, _ => false, ConfigMap("from-" + name)) { Detection = new() { MarkerFiles = ["jsonnetfile.json"], Priority = priority } };

    private RenderStage Stage(params IRenderer[] custom) => new([_plain, _kustomize, _helm, .. custom], [], Options());
}
