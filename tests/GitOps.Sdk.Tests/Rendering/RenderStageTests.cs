using System.Diagnostics.Metrics;
using GitOps.Sdk.Rendering;
using GitOps.Sdk.TestUtilities;
using static GitOps.Sdk.Tests.Rendering.RenderingTestKit;

namespace GitOps.Sdk.Tests.Rendering;

public sealed class RenderStageTests : IDisposable
{
    private readonly TempDirectory _temp = new("render-stage");
    private readonly RecordingRenderer _plain;
    private readonly RecordingRenderer _kustomize;
    private readonly RecordingRenderer _helm;

    public RenderStageTests()
    {
        _plain = new RecordingRenderer("plain", _ => true, ConfigMap("from-plain"));
        _kustomize = new RecordingRenderer("kustomize", _ => false, ConfigMap("from-kustomize")) { Detection = KustomizeDetection };
        _helm = new RecordingRenderer("helm", _ => false, ConfigMap("from-helm")) { Detection = HelmDetection };
    }

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("kustomization.yaml", "kustomize")]
    [InlineData("kustomization.yml", "kustomize")]
    [InlineData("Kustomization", "kustomize")]
    [InlineData("Chart.yaml", "helm")]
    [InlineData("deployment.yaml", "plain")]
    public void SelectRenderer_Auto_PicksByMarkerFile(string file, string expected)
    {
        _temp.WriteFile("app/" + file, "x: 1");
        var stage = Stage();

        var renderer = stage.SelectRenderer(Artifact(_temp.Path, "app"), new RenderOptions(), out var error);

        error.Should().BeNull();
        renderer!.Name.Should().Be(expected);
    }

    [Fact]
    public void SelectRenderer_AutoWithKustomizationAndChart_PrefersKustomize()
    {
        _temp.WriteFile("kustomization.yaml", "resources: []");
        _temp.WriteFile("Chart.yaml", "name: x");
        var stage = Stage();

        stage.SelectRenderer(Artifact(_temp.Path), new RenderOptions(), out _)!.Name.Should().Be("kustomize");
    }

    [Fact]
    public void SelectRenderer_HelmChartArtifactKind_PicksHelm()
    {
        var stage = Stage();

        stage.SelectRenderer(Artifact(_temp.Path, kind: ArtifactKinds.HelmChart), new RenderOptions(), out _)!.Name.Should().Be("helm");
    }

    [Fact]
    public void SelectRenderer_CustomRendererThatCanRender_WinsOverPlain()
    {
        _temp.WriteFile("main.jsonnet", "{}");
        var jsonnet = new RecordingRenderer("jsonnet", a => File.Exists(Path.Combine(a.ContentDirectory, "main.jsonnet")));
        var stage = new RenderStage([_plain, jsonnet], [], Options());

        stage.SelectRenderer(Artifact(_temp.Path), new RenderOptions(), out _).Should().BeSameAs(jsonnet);
    }

    [Fact]
    public void SelectRenderer_ExplicitName_OverridesDetection()
    {
        _temp.WriteFile("kustomization.yaml", "resources: []");
        var stage = Stage();

        stage.SelectRenderer(Artifact(_temp.Path), new RenderOptions { Renderer = "plain" }, out _).Should().BeSameAs(_plain);
        stage.SelectRenderer(Artifact(_temp.Path), new RenderOptions { Renderer = "HELM" }, out _).Should().BeSameAs(_helm);
    }

    [Fact]
    public async Task RenderAsync_UnknownRenderer_FailsListingRegisteredOnes()
    {
        var stage = Stage();

        var result = await stage.RenderAsync(Artifact(_temp.Path), new RenderOptions { ApplicationName = "shop", Renderer = "jsonnet" }, default);

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Message.Should().Be("application 'shop' at revision main@sha1:0123456789abcdef0123456789abcdef01234567: no renderer named 'jsonnet' is registered (registered: plain, kustomize, helm)");
        error.Code.Should().Be("no-renderer");
    }

    [Fact]
    public async Task RenderAsync_KustomizationWithoutKustomizeRenderer_SaysWhichRegistrationIsMissing()
    {
        _temp.WriteFile("kustomization.yaml", "resources: []");
        var stage = new RenderStage([_plain], [], Options());

        var result = await stage.RenderAsync(Artifact(_temp.Path), new RenderOptions(), default);

        result.Errors.Should().ContainSingle().Which.Message.Should().Contain("kustomization.yaml").And.Contain("AddKustomizeRenderer()");
        _plain.Calls.Should().Be(0, "rendering a kustomization as plain YAML would apply the wrong objects");
    }

    [Fact]
    public async Task RenderAsync_PathMissingFromArtifact_Fails()
    {
        var stage = Stage();

        var result = await stage.RenderAsync(Artifact(_temp.Path, "deploy/prod"), new RenderOptions(), default);

        result.Errors.Should().ContainSingle().Which.Message.Should().Contain("'deploy/prod' does not exist");
    }

    [Fact]
    public async Task RenderAsync_RendererErrors_NameApplicationRevisionAndKeepFileDocumentObject()
    {
        var key = new ResourceKey("apps", "Deployment", "shop", "web");
        _plain.Errors = [new ManifestError("duplicate key 'image'", "app/web.yaml", 2, 14, 3) { Object = key, Code = "duplicate-key" }];
        var stage = Stage();

        var result = await stage.RenderAsync(Artifact(_temp.Path), new RenderOptions { ApplicationName = "shop" }, default);

        var error = result.Errors.Should().ContainSingle().Subject;
        error.ToString().Should().Be(
            "app/web.yaml:14:3: document 2: apps/Deployment/shop/web: application 'shop' at revision main@sha1:0123456789abcdef0123456789abcdef01234567: duplicate key 'image'");
        error.Code.Should().Be("duplicate-key");
        result.State.Objects.Should().BeEmpty();
        result.Renderer.Should().Be("plain");
    }

    [Fact]
    public async Task RenderAsync_BuiltInTransforms_RunInDocumentedOrderAndStampRevision()
    {
        var options = Options();
        var recorder = new OrderRecorder(150);
        var stage = new RenderStage([_plain], [.. BuiltInTransforms(options), recorder], options);

        var result = await stage.RenderAsync(
            Artifact(_temp.Path),
            new RenderOptions { ApplicationName = "shop", Namespace = "store" },
            default);

        stage.Transforms.Select(t => t.Order).Should().Equal(100, 150, 200, 300, 1000);
        recorder.SawNamespace.Should().Be("store", "the default namespace (100) runs before 150");
        var obj = result.State.Objects.Should().ContainSingle().Subject;
        obj.Namespace.Should().Be("store");
        obj.GetLabel(WellKnown.ApplicationLabel).Should().Be("shop");
        obj.GetAnnotation(WellKnown.TrackingIdAnnotation).Should().Be("shop:/ConfigMap:store/from-plain", "ownership runs last and sees the final namespace");
        result.State.Revision.Should().Be("main@sha1:0123456789abcdef0123456789abcdef01234567");
        result.State.Digest.Should().Be("sha256:abc");
    }

    [Fact]
    public async Task RenderAsync_TransformFails_ReturnsItsErrorsWithApplicationAndRevision()
    {
        var options = Options();
        var stage = new RenderStage([new RecordingRenderer("plain", _ => true, ConfigMap("x", data: """{"a":"${MISSING}"}"""))], BuiltInTransforms(options), options);

        var result = await stage.RenderAsync(Artifact(_temp.Path), new RenderOptions { ApplicationName = "shop", SubstituteVariables = true }, default);

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Message.Should().StartWith("application 'shop' at revision main@sha1:").And.Contain("variable 'MISSING'");
        error.File.Should().Be("plain.yaml");
        result.State.Objects.Should().BeEmpty();
    }

    [Fact]
    public async Task RenderAsync_SameDigestPathRendererAndOptions_RendersOnceThenHitsCache()
    {
        var stage = Stage();
        var options = new RenderOptions { ApplicationName = "shop", Namespace = "store" }.WithRendererOptions("plain", new SampleRendererOptions("a"));

        var first = await stage.RenderAsync(Artifact(_temp.Path), options, default);
        var second = await stage.RenderAsync(Artifact(_temp.Path), options.WithRendererOptions("PLAIN", new SampleRendererOptions("a")), default);

        _plain.Calls.Should().Be(1);
        second.Should().BeSameAs(first);
        stage.CacheHits.Should().Be(1);
        stage.CacheMisses.Should().Be(1);
        stage.CacheCount.Should().Be(1);
    }

    [Fact]
    public async Task RenderAsync_DigestPathOrOptionsChange_Misses()
    {
        _temp.WriteFile("sub/a.yaml", "x: 1");
        var stage = Stage();
        var options = new RenderOptions { ApplicationName = "shop" };

        await stage.RenderAsync(Artifact(_temp.Path), options, default);
        await stage.RenderAsync(Artifact(_temp.Path, digest: "sha256:def"), options, default);
        await stage.RenderAsync(Artifact(_temp.Path, "sub"), options, default);
        await stage.RenderAsync(Artifact(_temp.Path), options with { Namespace = "other" }, default);
        await stage.RenderAsync(Artifact(_temp.Path), options with { CommonLabels = new Dictionary<string, string> { ["team"] = "a" } }, default);
        await stage.RenderAsync(Artifact(_temp.Path), options with { SubstituteVariables = true, Variables = new Dictionary<string, string> { ["A"] = "1" } }, default);
        await stage.RenderAsync(Artifact(_temp.Path), options with { SubstituteVariables = true, Variables = new Dictionary<string, string> { ["A"] = "2" } }, default);
        await stage.RenderAsync(Artifact(_temp.Path), options.WithRendererOptions("plain", new SampleRendererOptions("a")), default);
        await stage.RenderAsync(Artifact(_temp.Path), options.WithRendererOptions("plain", new SampleRendererOptions("b")), default);

        _plain.Calls.Should().Be(9);
        stage.CacheHits.Should().Be(0);
        stage.CacheMisses.Should().Be(9);
    }

    [Fact]
    public async Task RenderAsync_ReferencedFileContentChanges_Misses()
    {
        var valuesFile = _temp.WriteFile("values/prod.yaml", "replicas: 1");
        var stage = Stage();
        var options = new RenderOptions().WithRendererOptions("plain", new SampleRendererOptions("a", "values/prod.yaml"));

        await stage.RenderAsync(Artifact(_temp.Path), options, default);
        await stage.RenderAsync(Artifact(_temp.Path), options, default);
        File.WriteAllText(valuesFile, "replicas: 2");
        await stage.RenderAsync(Artifact(_temp.Path), options, default);

        _plain.Calls.Should().Be(2);
        stage.CacheHits.Should().Be(1);
    }

    [Fact]
    public async Task RenderAsync_NoDigestOrFailure_IsNeverCached()
    {
        var stage = Stage();

        await stage.RenderAsync(Artifact(_temp.Path, digest: ""), new RenderOptions(), default);
        await stage.RenderAsync(Artifact(_temp.Path, digest: ""), new RenderOptions(), default);
        _plain.Errors = [new ManifestError("boom")];
        await stage.RenderAsync(Artifact(_temp.Path, digest: "sha256:f"), new RenderOptions(), default);
        await stage.RenderAsync(Artifact(_temp.Path, digest: "sha256:f"), new RenderOptions(), default);

        _plain.Calls.Should().Be(4);
        stage.CacheCount.Should().Be(0);
        stage.CacheHits.Should().Be(0);
    }

    [Fact]
    public async Task RenderAsync_MoreEntriesThanCacheSize_EvictsLeastRecentlyUsed()
    {
        var stage = new RenderStage([_plain], [], Options(o => o.CacheSize = 2));
        var options = new RenderOptions();

        await stage.RenderAsync(Artifact(_temp.Path, digest: "sha256:a"), options, default);
        await stage.RenderAsync(Artifact(_temp.Path, digest: "sha256:b"), options, default);
        await stage.RenderAsync(Artifact(_temp.Path, digest: "sha256:a"), options, default); // hit; b is now least recent
        await stage.RenderAsync(Artifact(_temp.Path, digest: "sha256:c"), options, default); // evicts b
        await stage.RenderAsync(Artifact(_temp.Path, digest: "sha256:a"), options, default); // hit
        await stage.RenderAsync(Artifact(_temp.Path, digest: "sha256:b"), options, default); // miss

        stage.CacheCount.Should().Be(2);
        stage.CacheHits.Should().Be(2);
        stage.CacheMisses.Should().Be(4);
        _plain.Calls.Should().Be(4);
    }

    [Fact]
    public async Task RenderAsync_CacheSizeZero_DisablesCache()
    {
        var stage = new RenderStage([_plain], [], Options(o => o.CacheSize = 0));

        await stage.RenderAsync(Artifact(_temp.Path), new RenderOptions(), default);
        await stage.RenderAsync(Artifact(_temp.Path), new RenderOptions(), default);

        _plain.Calls.Should().Be(2);
        stage.CacheCount.Should().Be(0);
    }

    [Fact]
    public async Task RenderAsync_CacheHitsAndMisses_AreReportedOnTheGitOpsMeter()
    {
        // A meter of its own: other tests render in parallel on the process-wide one, and their hits and misses count there.
        using var meters = new OwnMeterFactory();
        var stage = new RenderStage([_plain, _kustomize, _helm], [], Options(), telemetry: new GitOpsTelemetry(meters));
        var measured = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, stage.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (measured)
            {
                measured[instrument.Name] = measured.GetValueOrDefault(instrument.Name) + value;
            }
        });
        listener.Start();

        await stage.RenderAsync(Artifact(_temp.Path), new RenderOptions(), default);
        await stage.RenderAsync(Artifact(_temp.Path), new RenderOptions(), default);
        await stage.RenderAsync(Artifact(_temp.Path), new RenderOptions(), default);

        stage.Meter.Name.Should().Be("GitOps.Sdk");
        measured.Should().Contain("gitops.render.cache.misses", 1).And.Contain("gitops.render.cache.hits", 2);
    }

    private RenderStage Stage() => new([_plain, _kustomize, _helm], [], Options());

    private sealed class OwnMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(static m => m.Dispose());
    }

    private sealed class OrderRecorder(int order) : IRenderTransform
    {
        public int Order => order;

        public string? SawNamespace { get; private set; }

        public ValueTask<RenderResult> TransformAsync(DesiredState state, RenderTransformContext context, CancellationToken cancellationToken)
        {
            SawNamespace = state.Objects.FirstOrDefault()?.Namespace;
            return ValueTask.FromResult(RenderResult.Success(state));
        }
    }
}
