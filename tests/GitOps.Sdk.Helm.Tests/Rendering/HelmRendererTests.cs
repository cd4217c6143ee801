using System.Text.Json;
using GitOps.Sdk.Helm.Rendering;
using GitOps.Sdk.Manifests;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Helm.Tests.Rendering;

/// <summary>Renders charts made by the real <c>helm create</c> with the real Helm 3 and Helm 4 binaries.</summary>
public sealed class HelmRendererTests : IDisposable
{
    private readonly TempDirectory _temp = new("helm-render");

    public static TheoryData<string> Helms => new() { "helm", "helm4" };

    public void Dispose() => _temp.Dispose();

    [Theory]
    [MemberData(nameof(Helms))]
    public async Task RenderAsync_CreatedChart_RendersObjectsWithTemplateOriginsAndLeavesOutHooks(string helm)
    {
        var artifact = await CreateChartAsync(helm, "charts/web");
        var logger = new CapturingLogger<HelmRenderer>();
        var renderer = new HelmRenderer(Options.Create(new HelmRendererOptions { HelmPath = TestPaths.RequireTool(helm) }), new ManifestReader(), logger);

        var result = await renderer.RenderAsync(artifact, new RenderOptions { ApplicationName = "shop" }, default);

        result.Errors.Should().BeEmpty();
        result.Renderer.Should().Be("helm");
        result.State.Objects.Select(o => o.Kind).Should().BeEquivalentTo("ServiceAccount", "Service", "Deployment");
        var service = result.State.Objects.Single(o => o.Kind == "Service");
        service.Name.Should().Be("shop-web");
        service.Origin!.File.Should().Be("charts/web/templates/service.yaml");
        service.Origin.DocumentIndex.Should().Be(0);

        result.State.Objects.Should().NotContain(o => o.Kind == "Pod", "the test hook is not applied without ApplyHooks");
        logger.Messages.Should().Contain("Left out Helm hook Pod shop-web-test-connection (test) of application shop: only install and upgrade hooks run as sync hooks; HelmRenderOptions.ApplyHooks applies every hook as a regular object")
            .And.Contain("Rendered 3 objects and 1 hooks for application shop");
    }

    [Theory]
    [MemberData(nameof(Helms))]
    public async Task RenderAsync_InstallAndUpgradeHooks_StayAsSyncHooks_TestHookLeftOut(string helm)
    {
        var artifact = await CreateChartAsync(helm);
        File.WriteAllText(_temp.Combine("chart/templates/migrate.yaml"), """
            apiVersion: batch/v1
            kind: Job
            metadata:
              name: {{ .Release.Name }}-migrate
              annotations:
                helm.sh/hook: pre-install,pre-upgrade
                helm.sh/hook-weight: "-5"
                helm.sh/hook-delete-policy: hook-succeeded
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers:
                    - name: migrate
                      image: busybox
            """);

        var result = await Renderer(helm).RenderAsync(artifact, new RenderOptions { ApplicationName = "shop" }, default);

        result.Errors.Should().BeEmpty();
        var job = result.State.Objects.Should().ContainSingle(o => o.Kind == "Job").Subject;
        job.Name.Should().Be("shop-migrate");
        job.GetAnnotation(HelmRenderer.HookAnnotation).Should().Be("pre-install,pre-upgrade", "the engine reads Helm's annotations and runs it as a PreSync hook");
        job.GetAnnotation("helm.sh/hook-weight").Should().Be("-5");
        job.GetAnnotation(WellKnown.HelmHookAnnotation).Should().BeNull("it is not a regular object");
        result.State.Objects.Should().NotContain(o => o.Kind == "Pod", "a test hook has no sync phase");
    }

    [Theory]
    [MemberData(nameof(Helms))]
    public async Task RenderAsync_ApplyHooks_PutsHooksAmongObjects(string helm)
    {
        var artifact = await CreateChartAsync(helm);

        var result = await Renderer(helm).RenderAsync(artifact, new RenderOptions { ApplicationName = "shop" }.WithHelm(new HelmRenderOptions { ApplyHooks = true }), default);

        result.Errors.Should().BeEmpty();
        var hook = result.State.Objects.Should().ContainSingle(o => o.Kind == "Pod").Subject;
        hook.Name.Should().Be("shop-web-test-connection");
        hook.GetAnnotation(WellKnown.HelmHookAnnotation).Should().Be("test");
        hook.Origin!.File.Should().Be("chart/templates/tests/test-connection.yaml");
    }

    [Theory]
    [MemberData(nameof(Helms))]
    public async Task RenderAsync_ValueFilesThenInlineValues_MergeInOrder(string helm)
    {
        var artifact = await CreateChartAsync(helm);
        _temp.WriteFile("values/a.yaml", "replicaCount: 2\nimage:\n  tag: from-a\n");
        _temp.WriteFile("values/b.yaml", "replicaCount: 3\n");

        var filesOnly = await Renderer(helm).RenderAsync(
            artifact,
            new RenderOptions { ApplicationName = "shop" }.WithHelm(new HelmRenderOptions { ValueFiles = ["../values/a.yaml", "../values/b.yaml"] }),
            default);
        var withInline = await Renderer(helm).RenderAsync(
            artifact,
            new RenderOptions { ApplicationName = "shop" }.WithHelm(new HelmRenderOptions { ValueFiles = ["../values/a.yaml", "../values/b.yaml"], Values = "replicaCount: 4" }),
            default);

        filesOnly.Errors.Should().BeEmpty();
        Replicas(filesOnly).Should().Be(3);
        Image(filesOnly).Should().Be("nginx:from-a");
        withInline.Errors.Should().BeEmpty();
        Replicas(withInline).Should().Be(4);
        Image(withInline).Should().Be("nginx:from-a");
    }

    [Theory]
    [MemberData(nameof(Helms))]
    public async Task RenderAsync_NamespaceKubeVersionAndApiVersions_ReachTheTemplates(string helm)
    {
        var artifact = await CreateChartAsync(helm);
        _temp.WriteFile("chart/templates/facts.yaml", """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: facts
              namespace: {{ .Release.Namespace }}
            data:
              kube: {{ .Capabilities.KubeVersion.Version | quote }}
              hasExample: {{ .Capabilities.APIVersions.Has "example.com/v1" | quote }}
            """);

        var result = await Renderer(helm).RenderAsync(
            artifact,
            new RenderOptions { ApplicationName = "shop", Namespace = "store" }.WithHelm(new HelmRenderOptions { KubeVersion = "1.29.3", ApiVersions = ["example.com/v1"] }),
            default);

        result.Errors.Should().BeEmpty();
        var facts = result.State.Objects.Single(o => o.Name == "facts");
        facts.Namespace.Should().Be("store");
        facts.Json.GetProperty("data").GetProperty("kube").GetString().Should().Be("v1.29.3");
        facts.Json.GetProperty("data").GetProperty("hasExample").GetString().Should().Be("true");
    }

    [Theory]
    [MemberData(nameof(Helms))]
    public async Task RenderAsync_ChartWithCrds_IncludesThemOnlyWhenAsked(string helm)
    {
        var artifact = await CreateChartAsync(helm);
        _temp.WriteFile("chart/crds/crontab.yaml", """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: crontabs.stable.example.com
            spec:
              group: stable.example.com
              scope: Namespaced
              names: {plural: crontabs, singular: crontab, kind: CronTab}
              versions:
                - name: v1
                  served: true
                  storage: true
                  schema:
                    openAPIV3Schema: {type: object}
            """);

        var included = await Renderer(helm).RenderAsync(artifact, new RenderOptions { ApplicationName = "shop" }.WithHelm(new HelmRenderOptions { IncludeCrds = true }), default);
        var excluded = await Renderer(helm).RenderAsync(artifact, new RenderOptions { ApplicationName = "shop" }.WithHelm(new HelmRenderOptions { IncludeCrds = false }), default);

        included.Errors.Should().BeEmpty();
        var crd = included.State.Objects.Should().ContainSingle(o => o.Kind == "CustomResourceDefinition").Subject;
        crd.Origin!.File.Should().Be("chart/crds/crontab.yaml");
        excluded.Errors.Should().BeEmpty();
        excluded.State.Objects.Should().NotContain(o => o.Kind == "CustomResourceDefinition");
        excluded.State.Objects.Should().Contain(o => o.Kind == "Deployment");
    }

    [Theory]
    [MemberData(nameof(Helms))]
    public async Task RenderAsync_TemplateCallsFail_ReturnsHelmErrorNamingTheTemplateAndNoObjects(string helm)
    {
        var artifact = await CreateChartAsync(helm);
        _temp.WriteFile("chart/templates/broken.yaml", "{{ fail \"boom: the database password is required\" }}\n");

        var result = await Renderer(helm).RenderAsync(artifact, new RenderOptions { ApplicationName = "shop" }, default);

        result.Succeeded.Should().BeFalse();
        result.State.Objects.Should().BeEmpty();
        var error = result.Errors.Should().ContainSingle().Subject;
        error.Code.Should().Be("helm-template-failed");
        error.Message.Should().Contain("boom: the database password is required").And.Contain("exit 1");
        error.File.Should().Be("chart/templates/broken.yaml");
        error.Line.Should().Be(1);
    }

    [Theory]
    [MemberData(nameof(Helms))]
    public async Task RenderAsync_MissingDependencies_FailsWithoutDownloading(string helm)
    {
        var artifact = await CreateChartAsync(helm);
        File.AppendAllText(_temp.Combine("chart", "Chart.yaml"), "\ndependencies:\n  - name: redis\n    version: 1.0.0\n    repository: https://charts.example.invalid\n");

        var result = await Renderer(helm).RenderAsync(artifact, new RenderOptions { ApplicationName = "shop" }, default);

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Code.Should().Be("helm-missing-dependencies");
        error.Message.Should().Contain("redis").And.Contain("never downloads");
        error.File.Should().Be("chart/Chart.yaml");
    }

    [Theory]
    [MemberData(nameof(Helms))]
    public async Task RenderAsync_InvalidInlineValues_SurfacesHelmStandardError(string helm)
    {
        var artifact = await CreateChartAsync(helm);

        var result = await Renderer(helm).RenderAsync(artifact, new RenderOptions { ApplicationName = "shop" }.WithHelm(new HelmRenderOptions { Values = "replicaCount: [unclosed" }), default);

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Message.Should().StartWith("helm template failed (exit 1): Error:");
        error.Message.Should().NotEndWith("\n");
    }

    [Fact]
    public async Task RenderAsync_ValueFileOutsideArtifact_IsRefused()
    {
        var artifact = await CreateChartAsync("helm");
        using var outside = new TempDirectory("helm-outside");
        var secret = outside.WriteFile("values.yaml", "replicaCount: 9\n");

        var relative = await Renderer("helm").RenderAsync(artifact, new RenderOptions().WithHelm(new HelmRenderOptions { ValueFiles = ["../../" + Path.GetFileName(outside.Path) + "/values.yaml"] }), default);
        var absolute = await Renderer("helm").RenderAsync(artifact, new RenderOptions().WithHelm(new HelmRenderOptions { ValueFiles = [secret] }), default);

        relative.Errors.Should().ContainSingle().Which.Code.Should().Be("values-outside-artifact");
        absolute.Errors.Should().ContainSingle().Which.Code.Should().Be("values-outside-artifact");
    }

    [Fact]
    public async Task RenderAsync_ValueFileLinkLeadingOutside_IsRefused()
    {
        var artifact = await CreateChartAsync("helm");
        using var outside = new TempDirectory("helm-outside");
        var target = outside.WriteFile("values.yaml", "replicaCount: 9\n");
        File.CreateSymbolicLink(_temp.Combine("chart", "linked.yaml"), target);

        var result = await Renderer("helm").RenderAsync(artifact, new RenderOptions().WithHelm(new HelmRenderOptions { ValueFiles = ["linked.yaml"] }), default);

        result.Errors.Should().ContainSingle().Which.Code.Should().Be("values-outside-artifact");
    }

    [Fact]
    public async Task RenderAsync_MissingValueFile_NamesIt()
    {
        var artifact = await CreateChartAsync("helm");

        var result = await Renderer("helm").RenderAsync(artifact, new RenderOptions().WithHelm(new HelmRenderOptions { ValueFiles = ["prod.yaml"] }), default);

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Code.Should().Be("values-not-found");
        error.File.Should().Be("prod.yaml");
    }

    [Theory]
    [InlineData("--post-renderer=/bin/sh")]
    [InlineData("--repo")]
    [InlineData("--dependency-update")]
    [InlineData("--set-file=password=/etc/passwd")]
    [InlineData("--values=/etc/passwd")]
    [InlineData("-f")]
    [InlineData("--output-dir=/tmp/out")]
    [InlineData("--enable-dns")]
    public async Task RenderAsync_ArgumentLeavingTheSandbox_IsRefused(string argument)
    {
        var artifact = await CreateChartAsync("helm");

        var result = await Renderer("helm").RenderAsync(artifact, new RenderOptions { ExtraArguments = [argument] }, default);

        result.Errors.Should().ContainSingle().Which.Code.Should().Be("helm-argument-refused");
    }

    [Fact]
    public async Task RenderAsync_HostArgumentsAndApplicationSetFlags_ArePassed()
    {
        var artifact = await CreateChartAsync("helm");
        var renderer = new HelmRenderer(Options.Create(new HelmRendererOptions { HelmPath = TestPaths.RequireTool("helm"), ExtraArguments = { "--skip-tests" } }), new ManifestReader());

        var options = new RenderOptions { ApplicationName = "shop", ExtraArguments = ["--set", "replicaCount=5", "--set-string=image.tag=7"] }.WithHelm(new HelmRenderOptions { ApplyHooks = true });

        var result = await renderer.RenderAsync(artifact, options, default);

        result.Errors.Should().BeEmpty();
        Replicas(result).Should().Be(5);
        Image(result).Should().Be("nginx:7");
        result.State.Objects.Should().NotContain(o => o.Kind == "Pod", "--skip-tests leaves out the test hook, even with ApplyHooks");
    }

    [Fact]
    public async Task RenderAsync_HelmRunsPastTimeout_IsKilledWithProcessTreeAndReportsTimeout()
    {
        var artifact = await CreateChartAsync("helm");
        var pidFile = _temp.Combine("child.pid");
        var script = _temp.WriteFile("slow-helm.sh", $"#!/bin/sh\nsleep 30 &\necho $! > {pidFile}\nwait\n");
        MakeExecutable(script);
        var renderer = new HelmRenderer(Options.Create(new HelmRendererOptions { HelmPath = script }), new ManifestReader());

        var result = await renderer.RenderAsync(artifact, new RenderOptions { Timeout = TimeSpan.FromMilliseconds(500) }, default);

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Code.Should().Be("render-timeout");
        error.Message.Should().Contain("did not finish within");
        var childPid = File.ReadAllText(pidFile).Trim();

        // SIGKILL is delivered asynchronously: under load the child may still be on its way out for a moment.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (IsRunning(childPid) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        IsRunning(childPid).Should().BeFalse("the timeout kills the whole process tree, including the tool's children");
    }

    [Fact]
    public async Task RenderAsync_Cancelled_Throws()
    {
        var artifact = await CreateChartAsync("helm");
        var script = _temp.WriteFile("slow-helm.sh", "#!/bin/sh\nsleep 20\n");
        MakeExecutable(script);
        var renderer = new HelmRenderer(Options.Create(new HelmRendererOptions { HelmPath = script }), new ManifestReader());
        using var cts = new CancellationTokenSource();
        cts.CancelAfter(200);

        var act = async () => await renderer.RenderAsync(artifact, new RenderOptions(), cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task RenderAsync_HelmNotFound_SaysHowToConfigureIt()
    {
        var artifact = await CreateChartAsync("helm");
        var renderer = new HelmRenderer(Options.Create(new HelmRendererOptions { HelmPath = "/nonexistent/helm" }), new ManifestReader());

        var result = await renderer.RenderAsync(artifact, new RenderOptions(), default);

        result.Errors.Should().ContainSingle().Which.Message.Should().Contain("HelmRendererOptions.HelmPath");
    }

    [Fact]
    public async Task RenderAsync_FolderWithoutChart_Fails()
    {
        var artifact = new SourceArtifact { Source = new SourceReference { Url = "file:///x" }, Revision = "r1", Digest = "sha256:00", RootDirectory = _temp.Path };

        var result = await Renderer("helm").RenderAsync(artifact, new RenderOptions(), default);

        result.Errors.Should().ContainSingle().Which.Code.Should().Be("helm-not-a-chart");
    }

    [Fact]
    public async Task CanRender_ChartFolderOrHelmChartKind_IsTrue()
    {
        var chart = await CreateChartAsync("helm");
        var plain = chart with { RootDirectory = _temp.WriteFile("plain/x.yaml", "a: 1") is var f ? Path.GetDirectoryName(f)! : string.Empty, Path = string.Empty };

        Renderer("helm").CanRender(chart, new RenderOptions()).Should().BeTrue();
        Renderer("helm").CanRender(plain, new RenderOptions()).Should().BeFalse();
        Renderer("helm").CanRender(plain with { ArtifactKind = ArtifactKinds.HelmChart }, new RenderOptions()).Should().BeTrue();
    }

    [Theory]
    [MemberData(nameof(Helms))]
    public async Task RenderStage_AutoSelectsHelmAndMarksObjectsAndAppliedHooks(string helm)
    {
        var artifact = await CreateChartAsync(helm);
        var services = new ServiceCollection();
        services.AddGitOpsRenderStage();
        new TestBuilder(services).AddHelmRenderer(o => o.HelmPath = TestPaths.RequireTool(helm));
        using var provider = services.BuildServiceProvider();
        var stage = provider.GetRequiredService<IRenderStage>();

        var options = new RenderOptions { ApplicationName = "shop", Namespace = "store" }.WithHelm(new HelmRenderOptions { ApplyHooks = true });

        var result = await stage.RenderAsync(artifact, options, default);

        result.Errors.Should().BeEmpty();
        result.Renderer.Should().Be("helm");
        result.State.Objects.Should().OnlyContain(o => o.Namespace == "store" && o.GetLabel(WellKnown.ApplicationLabel) == "shop");
        result.State.Objects.Should().Contain(o => o.GetAnnotation(WellKnown.TrackingIdAnnotation) == "shop:apps/Deployment:store/shop-web");
        result.State.Objects.Single(o => o.Kind == "Pod").GetAnnotation(WellKnown.TrackingIdAnnotation).Should().Be("shop:/Pod:store/shop-web-test-connection");
    }

    [Fact]
    public void AddHelmRenderer_CalledTwice_RegistersOneRendererWithOptions()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IManifestReader>(new ManifestReader()); // what AddGitOps() registers
        var builder = new TestBuilder(services);

        builder.AddHelmRenderer(o => o.HelmPath = "/opt/helm").AddHelmRenderer();
        using var provider = services.BuildServiceProvider();

        provider.GetServices<IRenderer>().Should().ContainSingle().Which.Should().BeOfType<HelmRenderer>().Which.Name.Should().Be("helm");
        provider.GetRequiredService<IOptions<HelmRendererOptions>>().Value.HelmPath.Should().Be("/opt/helm");
    }

    private static void MakeExecutable(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static bool IsRunning(string pid)
    {
        var status = $"/proc/{pid}/status";
        if (!File.Exists(status))
        {
            return false;
        }

        // A killed child whose parent died may linger as a zombie until PID 1 reaps it; a zombie runs nothing.
        var state = File.ReadAllLines(status).FirstOrDefault(l => l.StartsWith("State:", StringComparison.Ordinal)) ?? string.Empty;
        return !state.Contains('Z', StringComparison.Ordinal) && !state.Contains('X', StringComparison.Ordinal);
    }

    private static HelmRenderer Renderer(string helm) =>
        new(Options.Create(new HelmRendererOptions { HelmPath = TestPaths.RequireTool(helm) }), new ManifestReader());

    private static int Replicas(RenderResult result) =>
        result.State.Objects.Single(o => o.Kind == "Deployment").Json.GetProperty("spec").GetProperty("replicas").GetInt32();

    private static string? Image(RenderResult result) =>
        result.State.Objects.Single(o => o.Kind == "Deployment").Json.GetProperty("spec").GetProperty("template").GetProperty("spec")
            .GetProperty("containers")[0].GetProperty("image").GetString();

    /// <summary>Runs <c>helm create</c> into <c>&lt;temp&gt;/&lt;path or chart&gt;</c> and returns an artifact rooted at the temp folder.</summary>
    private async Task<SourceArtifact> CreateChartAsync(string helm, string path = "chart")
    {
        var parent = Path.GetDirectoryName(_temp.Combine(path))!;
        Directory.CreateDirectory(parent);
        var home = _temp.Combine(".helm-home");
        var env = new Dictionary<string, string>
        {
            ["HELM_CACHE_HOME"] = Path.Combine(home, "cache"),
            ["HELM_CONFIG_HOME"] = Path.Combine(home, "config"),
            ["HELM_DATA_HOME"] = Path.Combine(home, "data"),
        };
        await ProcessRunner.RunCheckedAsync(TestPaths.RequireTool(helm), ["create", "web"], parent, env);
        if (Path.GetFileName(path) != "web")
        {
            Directory.Move(Path.Combine(parent, "web"), _temp.Combine(path));
        }

        return new SourceArtifact
        {
            Source = new SourceReference { Url = "file://" + _temp.Path },
            Revision = "main@sha1:0123456789abcdef0123456789abcdef01234567",
            Digest = "sha256:1111",
            RootDirectory = _temp.Path,
            Path = path,
        };
    }

    private sealed record TestBuilder(IServiceCollection Services) : IGitOpsBuilder;
}
