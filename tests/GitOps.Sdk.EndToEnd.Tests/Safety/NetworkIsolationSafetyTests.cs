using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Helm;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.EndToEnd.Tests.Safety;

/// <summary>
/// External tools render offline (issue 14, items 6 and 8): a repository's content must not make helm or kustomize reach
/// the network. A local HTTP server (127.0.0.1, free port) stands for "the network" and must see zero requests; the
/// <c>Off</c> cases are the controls showing that the same content does reach it when nothing stops it. Real helm and
/// real <c>kubectl kustomize</c>, real Git, the real Reconciler, the emulator over HTTP.
/// </summary>
public sealed class NetworkIsolationSafetyTests : IDisposable
{
    private readonly TempDirectory _served = new("gitops-isolation-http");
    private readonly ChartRepositoryServer _http;

    public NetworkIsolationSafetyTests()
    {
        File.WriteAllText(Path.Combine(_served.Path, "schema.json"), """{"type":"string"}""");
        File.WriteAllText(Path.Combine(_served.Path, "remote.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-the-network\ndata:\n  k: v\n");
        _http = new ChartRepositoryServer(_served.Path);
    }

    public void Dispose()
    {
        _http.Dispose();
        _served.Dispose();
    }

    private static async Task<EndToEndEnvironment> HelmAppAsync(string schema, Action<Helm.Rendering.HelmRendererOptions>? helm = null)
    {
        var env = await EndToEndEnvironment.CreateAsync(
            app: a => a with { Path = "chart" },
            builder: b => b.AddHelmRenderer(o =>
            {
                o.HelmPath = TestPaths.RequireTool("helm");
                helm?.Invoke(o);
            }));
        env.Repo.Write("chart/Chart.yaml", "apiVersion: v2\nname: probe\nversion: 0.1.0\n");
        env.Repo.Write("chart/values.yaml", "greeting: hello\n");
        env.Repo.Write("chart/values.schema.json", schema);
        env.Repo.Write("chart/templates/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n");
        env.Repo.Write("chart/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-chart\ndata:\n  greeting: {{ .Values.greeting }}\n");
        await env.Repo.CommitAndPushAsync("a chart whose schema points at the network");
        return env;
    }

    private static async Task<EndToEndEnvironment> KustomizeAppAsync(string kustomization, Action<Kustomize.Rendering.KustomizeRendererOptions>? kustomize = null)
    {
        var env = await EndToEndEnvironment.CreateAsync(
            app: a => a with { Path = "overlay" },
            builder: b => b.AddKustomizeRenderer(o =>
            {
                o.KubectlPath = TestPaths.RequireTool("kubectl");
                kustomize?.Invoke(o);
            }));
        env.Repo.Write("overlay/kustomization.yaml", kustomization);
        env.Repo.Write("overlay/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n");
        env.Repo.Write("overlay/local.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: local\ndata:\n  k: v\n");
        await env.Repo.CommitAndPushAsync("a kustomization that points at the network");
        return env;
    }

    private string RemoteSchema =>
        "{\"$schema\":\"http://json-schema.org/draft-07/schema#\",\"type\":\"object\",\"properties\":{\"greeting\":{\"$ref\":\"" + _http.Url + "/schema.json\"}}}";

    [Fact]
    public async Task HelmSchemaWithRemoteRef_RefusedBeforeHelmRuns_ServerSeesNothing()
    {
        await using var env = await HelmAppAsync(RemoteSchema);

        await env.StartAsync();

        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Failed);
        var status = env.Controller.GetStatus(EndToEndEnvironment.App)!;
        status.LastErrorStage.Should().Be(ReconcileStage.Render);
        status.LastError.Should().Contain("chart/values.schema.json").And.Contain("$ref").And.Contain(_http.Url).And.Contain("AllowRemoteSchemaReferences");
        _http.Requests.Should().BeEmpty();
        env.Exists("v1", "ConfigMap", "from-chart").Should().BeFalse();
    }

    [Fact]
    public async Task HelmSchemaWithRemoteRef_AllowedButIsolated_ServerSeesNothing()
    {
        await using var env = await HelmAppAsync(RemoteSchema, o => { o.AllowRemoteSchemaReferences = true; o.NetworkIsolation = ToolNetworkIsolation.Required; });

        await env.StartAsync();

        _http.Requests.Should().BeEmpty("helm runs in a network namespace of its own");
        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Failed, "the schema cannot be loaded without network");
        env.Exists("v1", "ConfigMap", "from-chart").Should().BeFalse();
    }

    [Fact]
    public async Task HelmSchemaWithRemoteRef_Control_WithoutIsolationHelmFetchesIt()
    {
        await using var env = await HelmAppAsync(RemoteSchema, o => { o.AllowRemoteSchemaReferences = true; o.NetworkIsolation = ToolNetworkIsolation.Off; });

        await env.StartAsync();

        _http.Requests.Should().Contain(r => r.Path == "/schema.json", "this is what the isolation cases prevent");
        env.Exists("v1", "ConfigMap", "from-chart").Should().BeTrue(env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);
    }

    [Fact]
    public async Task KustomizeRemoteResource_RefusedBeforeTheBuild_ServerSeesNothing()
    {
        await using var env = await KustomizeAppAsync($"resources:\n  - ns.yaml\n  - local.yaml\n  - {_http.Url}/remote.yaml\n");

        await env.StartAsync();

        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Failed);
        env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError.Should()
            .Contain("overlay/kustomization.yaml").And.Contain($"{_http.Url}/remote.yaml").And.Contain("AllowRemoteResources");
        _http.Requests.Should().BeEmpty();
        env.Exists("v1", "ConfigMap", "local").Should().BeFalse("a bad revision applies nothing");
        env.Exists("v1", "ConfigMap", "from-the-network").Should().BeFalse();
    }

    [Fact]
    public async Task KustomizeRemoteResource_AllowedButIsolated_ServerSeesNothing()
    {
        await using var env = await KustomizeAppAsync(
            $"resources:\n  - ns.yaml\n  - local.yaml\n  - {_http.Url}/remote.yaml\n",
            o => { o.AllowRemoteResources = true; o.NetworkIsolation = ToolNetworkIsolation.Required; });

        await env.StartAsync();

        _http.Requests.Should().BeEmpty("kubectl kustomize runs in a network namespace of its own");
        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Failed);
        env.Exists("v1", "ConfigMap", "local").Should().BeFalse();
        env.Exists("v1", "ConfigMap", "from-the-network").Should().BeFalse();
    }

    [Fact]
    public async Task KustomizeRemoteResource_Control_WithoutIsolationKustomizeFetchesIt()
    {
        await using var env = await KustomizeAppAsync(
            $"resources:\n  - ns.yaml\n  - local.yaml\n  - {_http.Url}/remote.yaml\n",
            o => { o.AllowRemoteResources = true; o.NetworkIsolation = ToolNetworkIsolation.Off; });

        await env.StartAsync();

        _http.Requests.Should().Contain(r => r.Path == "/remote.yaml", "this is what the isolation cases prevent");
        env.Exists("v1", "ConfigMap", "from-the-network").Should().BeTrue(env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);
    }

    [Theory]
    [InlineData("git@github.com:example/deploy.git//base?ref=v1")]
    [InlineData("github.com/example/deploy/base?ref=v1")]
    public async Task KustomizeGitBase_Refused_NamingTheEntry(string entry)
    {
        await using var env = await KustomizeAppAsync($"resources:\n  - ns.yaml\n  - local.yaml\n  - {entry}\n");

        await env.StartAsync();

        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Failed);
        env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError.Should().Contain("overlay/kustomization.yaml").And.Contain(entry).And.Contain("remote");
        env.Exists("v1", "ConfigMap", "local").Should().BeFalse();
    }

    [Fact]
    public async Task KustomizeHelmChartsFromARepository_RefusedEvenWithHelmEnabled_ServerSeesNothing()
    {
        var kustomization = $"helmCharts:\n  - name: probe\n    repo: {_http.Url}\n    version: 0.1.0\n    releaseName: probe\n";
        await using var env = await KustomizeAppAsync(kustomization, o => { o.EnableHelm = true; o.HelmCommand = TestPaths.RequireTool("helm"); });

        await env.StartAsync();

        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Failed);
        env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError.Should().Contain("overlay/kustomization.yaml").And.Contain("helmCharts").And.Contain(_http.Url);
        _http.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task KustomizeHelmCharts_WithoutEnableHelm_RefusedNamingTheOption()
    {
        await using var env = await KustomizeAppAsync("helmCharts:\n  - name: probe\n    version: 0.1.0\n");

        await env.StartAsync();

        env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError.Should().Contain("overlay/kustomization.yaml").And.Contain("EnableHelm");
    }
}
