using System.Text.Json;
using GitOps.Sdk.Kustomize.Rendering;
using GitOps.Sdk.Manifests;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Kustomize.Tests.Rendering;

/// <summary>Builds real kustomizations with the real <c>kubectl kustomize</c>.</summary>
public sealed class KustomizeRendererTests : IDisposable
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 1
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                image: nginx:1.0
                envFrom:
                - configMapRef: {name: settings}
        """;

    private readonly TempDirectory _temp = new("kustomize-render");

    public KustomizeRendererTests()
    {
        _temp.WriteFile("base/deployment.yaml", Deployment);
        _temp.WriteFile("base/kustomization.yaml", """
            resources:
            - deployment.yaml
            configMapGenerator:
            - name: settings
              literals:
              - color=blue
            """);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task RenderAsync_BaseWithConfigMapGenerator_HashesTheNameAndRewritesReferences()
    {
        var result = await Renderer().RenderAsync(Artifact("base"), new RenderOptions { ApplicationName = "web" }, default);

        result.Errors.Should().BeEmpty();
        result.Renderer.Should().Be("kustomize");
        var configMap = result.State.Objects.Single(o => o.Kind == "ConfigMap");

        // The content hash kustomize appends for data {color: blue}; stable across Kustomize v4/v5.
        configMap.Name.Should().Be("settings-747dfcb89d");
        configMap.Origin!.File.Should().Be("base/kustomization.yaml");
        var deployment = result.State.Objects.Single(o => o.Kind == "Deployment");
        EnvFromName(deployment).Should().Be("settings-747dfcb89d");
        deployment.Origin!.DocumentIndex.Should().Be(1);
    }

    [Fact]
    public async Task RenderAsync_OverlayWithNamespaceAndPatches_AppliesAllOfThem()
    {
        _temp.WriteFile("overlay/kustomization.yaml", """
            resources:
            - ../base
            namespace: prod
            namePrefix: prod-
            patches:
            - path: replicas.yaml
            - target: {group: apps, version: v1, kind: Deployment, name: web}
              patch: |-
                - op: replace
                  path: /spec/template/spec/containers/0/image
                  value: nginx:2.0
            configMapGenerator:
            - name: settings
              behavior: merge
              literals:
              - color=green
            """);
        _temp.WriteFile("overlay/replicas.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: 3
            """);

        var result = await Renderer().RenderAsync(Artifact("overlay"), new RenderOptions(), default);

        result.Errors.Should().BeEmpty();
        result.State.Objects.Should().OnlyContain(o => o.Namespace == "prod");
        var deployment = result.State.Objects.Single(o => o.Kind == "Deployment");
        deployment.Name.Should().Be("prod-web");
        deployment.Json.GetProperty("spec").GetProperty("replicas").GetInt32().Should().Be(3, "the strategic merge patch sets it");
        Container(deployment).GetProperty("image").GetString().Should().Be("nginx:2.0", "the JSON 6902 patch sets it");
        var configMap = result.State.Objects.Single(o => o.Kind == "ConfigMap");
        configMap.Name.Should().StartWith("prod-settings-").And.NotBe("prod-settings-747dfcb89d", "merged data changes the hash");
        configMap.Json.GetProperty("data").GetProperty("color").GetString().Should().Be("green");
        EnvFromName(deployment).Should().Be(configMap.Name);
    }

    [Fact]
    public async Task RenderAsync_MissingResourceFile_FailsNamingTheFileWithoutAbsolutePaths()
    {
        _temp.WriteFile("broken/kustomization.yaml", "resources:\n- ../base\n- missing.yaml\n");

        var result = await Renderer().RenderAsync(Artifact("broken"), new RenderOptions(), default);

        result.State.Objects.Should().BeEmpty();
        var error = result.Errors.Should().ContainSingle().Subject;
        error.Code.Should().Be("kustomize-build-failed");
        error.File.Should().Be("broken/kustomization.yaml");
        error.Message.Should().StartWith("kustomize build failed (exit 1): ").And.Contain("broken/missing.yaml").And.Contain("no such file or directory");
        error.Message.Should().NotContain(_temp.Path).And.NotContain("run.go");
    }

    [Fact]
    public async Task RenderAsync_InvalidKustomization_SurfacesStandardError()
    {
        _temp.WriteFile("invalid/kustomization.yaml", "resources: {not: a list}\n");

        var result = await Renderer().RenderAsync(Artifact("invalid"), new RenderOptions(), default);

        result.Errors.Should().ContainSingle().Which.Message.Should().Contain("kustomize build failed");
    }

    [Fact]
    public async Task RenderAsync_FileOutsideRoot_IsRefusedUnlessTheLoadRestrictorAllowsIt()
    {
        _temp.WriteFile("common/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n");
        _temp.WriteFile("app/kustomization.yaml", "resources:\n- ../common/extra.yaml\n");

        var restricted = await Renderer().RenderAsync(Artifact("app"), new RenderOptions(), default);
        var allowed = await Renderer(o => o.LoadRestrictor = "LoadRestrictionsNone").RenderAsync(Artifact("app"), new RenderOptions(), default);

        restricted.Errors.Should().ContainSingle().Which.Message.Should().Contain("security").And.Contain("not in or below");
        allowed.Errors.Should().BeEmpty();
        allowed.State.Objects.Should().ContainSingle().Which.Name.Should().Be("extra");
    }

    [Theory]
    [InlineData("kustomization.yaml")]
    [InlineData("kustomization.yml")]
    [InlineData("Kustomization")]
    public async Task CanRender_AnyKustomizationFileName_IsTrueAndBuilds(string fileName)
    {
        _temp.WriteFile("named/" + fileName, "resources:\n- ../base\n");

        Renderer().CanRender(Artifact("named"), new RenderOptions()).Should().BeTrue();
        Renderer().CanRender(Artifact("base/.."), new RenderOptions()).Should().BeFalse();
        var result = await Renderer().RenderAsync(Artifact("named"), new RenderOptions(), default);
        result.Errors.Should().BeEmpty();
        result.State.Objects.Should().HaveCount(2);
    }

    [Fact]
    public async Task RenderAsync_StandaloneKustomize_RunsBuildWithConfiguredFlags()
    {
        var script = _temp.WriteFile("bin/kustomize", """
            #!/bin/sh
            printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: args\ndata:\n  args: "%s"\n' "$*"
            """);
        MakeExecutable(script);
        var renderer = Renderer(o =>
        {
            o.KustomizePath = script;
            o.EnableHelm = true;
            o.HelmCommand = "/opt/helm";
            o.LoadRestrictor = "LoadRestrictionsNone";
        });

        var result = await renderer.RenderAsync(Artifact("base"), new RenderOptions { ExtraArguments = ["--reorder=none"] }, default);

        result.Errors.Should().BeEmpty();
        result.State.Objects.Single().Json.GetProperty("data").GetProperty("args").GetString().Should().Be(
            $"build {_temp.Combine("base")} --load-restrictor=LoadRestrictionsNone --enable-helm --helm-command=/opt/helm --reorder=none");
    }

    [Theory]
    [InlineData("--load-restrictor=LoadRestrictionsNone")]
    [InlineData("--enable-helm")]
    [InlineData("--helm-command=/bin/sh")]
    [InlineData("--enable-alpha-plugins")]
    [InlineData("--enable-exec")]
    [InlineData("-o")]
    [InlineData("/etc")]
    public async Task RenderAsync_ApplicationArgumentReachingTheHost_IsRefused(string argument)
    {
        var result = await Renderer().RenderAsync(Artifact("base"), new RenderOptions { ExtraArguments = [argument] }, default);

        result.Errors.Should().ContainSingle().Which.Code.Should().Be("kustomize-argument-refused");
    }

    [Fact]
    public async Task RenderAsync_BuildRunsPastTimeout_IsStopped()
    {
        var script = _temp.WriteFile("bin/kustomize", "#!/bin/sh\nsleep 30\n");
        MakeExecutable(script);

        var result = await Renderer(o => o.KustomizePath = script).RenderAsync(Artifact("base"), new RenderOptions { Timeout = TimeSpan.FromMilliseconds(300) }, default);

        result.Errors.Should().ContainSingle().Which.Code.Should().Be("render-timeout");
    }

    [Fact]
    public async Task RenderAsync_ToolExitsButLeavesAChildHoldingItsOutput_StopsAtTheTimeout()
    {
        var script = _temp.WriteFile("bin/kustomize", "#!/bin/sh\nsleep 5 &\necho 'apiVersion: v1'\nexit 0\n");
        MakeExecutable(script);

        var result = await Renderer(o => o.KustomizePath = script).RenderAsync(Artifact("base"), new RenderOptions { Timeout = TimeSpan.FromMilliseconds(300) }, default);

        result.Errors.Should().ContainSingle().Which.Code.Should().Be("render-timeout");
    }

    [Fact]
    public async Task RenderAsync_NoKustomization_Fails()
    {
        _temp.WriteFile("plain/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n");

        var result = await Renderer().RenderAsync(Artifact("plain"), new RenderOptions(), default);

        result.Errors.Should().ContainSingle().Which.Code.Should().Be("kustomize-no-kustomization");
    }

    [Fact]
    public async Task RenderAsync_ToolMissing_SaysSo()
    {
        var result = await Renderer(o => o.KubectlPath = "/nonexistent/kubectl").RenderAsync(Artifact("base"), new RenderOptions(), default);

        result.Errors.Should().ContainSingle().Which.Code.Should().Be("kustomize-not-found");
    }

    [Fact]
    public async Task RenderStage_AutoSelectsKustomizeAndMarksTheBuiltObjects()
    {
        _temp.WriteFile("overlay/kustomization.yaml", "resources:\n- ../base\n- role.yaml\n");
        _temp.WriteFile("overlay/role.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n");
        var services = new ServiceCollection();
        services.AddGitOpsRenderStage();
        new TestBuilder(services).AddKustomizeRenderer(o => o.KubectlPath = TestPaths.RequireTool("kubectl"));
        using var provider = services.BuildServiceProvider();
        var stage = provider.GetRequiredService<IRenderStage>();

        var result = await stage.RenderAsync(Artifact("overlay"), new RenderOptions { ApplicationName = "web", Namespace = "shop" }, default);

        result.Errors.Should().BeEmpty();
        result.Renderer.Should().Be("kustomize");
        result.State.Objects.Select(o => o.GetAnnotation(WellKnown.TrackingIdAnnotation)).Should().BeEquivalentTo(
            "web:/ConfigMap:shop/settings-747dfcb89d",
            "web:apps/Deployment:shop/web",
            "web:rbac.authorization.k8s.io/ClusterRole:/reader");
        result.State.Objects.Should().OnlyContain(o => o.GetLabel(WellKnown.ApplicationLabel) == "web");
    }

    [Fact]
    public void AddKustomizeRenderer_CalledTwice_RegistersOneRenderer()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IManifestReader>(new ManifestReader()); // what AddGitOps() registers
        new TestBuilder(services).AddKustomizeRenderer(o => o.EnableHelm = true).AddKustomizeRenderer();
        using var provider = services.BuildServiceProvider();

        provider.GetServices<IRenderer>().Should().ContainSingle().Which.Name.Should().Be("kustomize");
        provider.GetRequiredService<IOptions<KustomizeRendererOptions>>().Value.EnableHelm.Should().BeTrue();
    }

    private static string? EnvFromName(KubeObject deployment) =>
        Container(deployment).GetProperty("envFrom")[0].GetProperty("configMapRef").GetProperty("name").GetString();

    private static JsonElement Container(KubeObject deployment) =>
        deployment.Json.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers")[0];

    private static void MakeExecutable(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static KustomizeRenderer Renderer(Action<KustomizeRendererOptions>? configure = null)
    {
        var options = new KustomizeRendererOptions { KubectlPath = TestPaths.RequireTool("kubectl") };
        configure?.Invoke(options);
        return new KustomizeRenderer(Options.Create(options), new ManifestReader());
    }

    private SourceArtifact Artifact(string path) => new()
    {
        Source = new SourceReference { Url = "file://" + _temp.Path },
        Revision = "main@sha1:0123456789abcdef0123456789abcdef01234567",
        Digest = "sha256:2222",
        RootDirectory = _temp.Path,
        Path = path,
    };

    private sealed record TestBuilder(IServiceCollection Services) : IGitOpsBuilder;
}
