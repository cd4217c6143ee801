using System.Text.Json.Nodes;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>The real kubectl (installed by eng/install-test-deps.sh) against the emulator via the kubeconfig it writes.</summary>
public sealed class KubectlTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private KubeApiEmulator _api = null!;
    private string _kubectl = null!;

    public async Task InitializeAsync()
    {
        _kubectl = TestPaths.RequireTool("kubectl");
        _api = await KubeApiEmulator.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _dir.Dispose();
    }

    private Task<ProcessResult> KubectlAsync(params string[] args) =>
        ProcessRunner.RunAsync(_kubectl, [.. args, "--kubeconfig", _api.KubeconfigPath]);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Manifest = """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: shop
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
                - name: web
                  image: registry.example.com/web:1.0
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
          namespace: shop
        data:
          mode: fast
        """;

    [Fact]
    public async Task ApplyServerSide_GetDiffDelete_WorkLikeAgainstARealCluster()
    {
        var file = Write("app.yaml", Manifest);
        var apply = await KubectlAsync("apply", "--server-side", "--field-manager=gitops-sdk", "-f", file);
        apply.ExitCode.Should().Be(0, apply.StandardError);
        apply.StandardOutput.Should().Contain("deployment.apps/web serverside-applied").And.Contain("configmap/settings serverside-applied");

        var get = await KubectlAsync("get", "deployment", "web", "-n", "shop", "-o", "json");
        get.ExitCode.Should().Be(0, get.StandardError);
        var deployment = JsonNode.Parse(get.StandardOutput)!;
        ((string?)deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"]).Should().Be("IfNotPresent");

        var table = await KubectlAsync("get", "configmaps", "-n", "shop");
        table.ExitCode.Should().Be(0, table.StandardError);
        table.StandardOutput.Should().Contain("NAME").And.Contain("settings");

        var same = await KubectlAsync("diff", "--server-side", "--field-manager=gitops-sdk", "-f", file);
        same.ExitCode.Should().Be(0, "nothing changed: " + same.StandardOutput + same.StandardError);

        var changed = Write("changed.yaml", Manifest.Replace("mode: fast", "mode: safe", StringComparison.Ordinal));
        var diff = await KubectlAsync("diff", "--server-side", "--field-manager=gitops-sdk", "-f", changed);
        diff.ExitCode.Should().Be(1, diff.StandardError);
        diff.StandardOutput.Should().Contain("-  mode: fast").And.Contain("+  mode: safe");

        var clientDiff = await KubectlAsync("diff", "-f", changed);
        clientDiff.ExitCode.Should().Be(1, clientDiff.StandardError);
        clientDiff.StandardOutput.Should().Contain("+  mode: safe");

        var resources = Write("resources.yaml", Manifest[Manifest.IndexOf("apiVersion: apps/v1", StringComparison.Ordinal)..]);
        var delete = await KubectlAsync("delete", "-f", resources);
        delete.ExitCode.Should().Be(0, delete.StandardError);
        delete.StandardOutput.Should().Contain("deployment.apps \"web\" deleted").And.Contain("configmap \"settings\" deleted");
        _api.Get("v1", "ConfigMap", "shop", "settings").Should().BeNull();
        _api.Get("apps/v1", "Deployment", "shop", "web").Should().BeNull();

        var deleteNamespace = await KubectlAsync("delete", "namespace", "shop");
        deleteNamespace.ExitCode.Should().Be(0, deleteNamespace.StandardError);
        _api.Get("v1", "Namespace", null, "shop").Should().BeNull("kubectl waits until the namespace is gone");
    }

    [Fact]
    public async Task Label_ByAnotherManager_ShowsInManagedFields()
    {
        var apply = await KubectlAsync("apply", "--server-side", "--field-manager=gitops-sdk", "-f", Write("app.yaml", Manifest));
        apply.ExitCode.Should().Be(0, apply.StandardError);
        var label = await KubectlAsync("label", "configmap", "settings", "-n", "shop", "audited=yes");
        label.ExitCode.Should().Be(0, label.StandardError);

        var cm = _api.Get("v1", "ConfigMap", "shop", "settings")!;
        var managers = cm["metadata"]!["managedFields"]!.AsArray().Select(m => (string?)m!["manager"]).ToList();
        managers.Should().Equal("gitops-sdk", "kubectl-label");
    }

    [Fact]
    public async Task ApplyServerSide_StatusSubresourceOfAMissingObject_IsNotFoundAndCreatesNothing()
    {
        // A real API server never creates an object through a subresource (StatusREST.Update: forceAllowCreate=false).
        var apply = await KubectlAsync("apply", "--server-side", "--field-manager=gitops-sdk", "-f", Write("app.yaml", Manifest));
        apply.ExitCode.Should().Be(0, apply.StandardError);
        var status = Write("status.yaml", """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: ghost
              namespace: shop
            status:
              replicas: 1
            """);

        var missing = await KubectlAsync("apply", "--server-side", "--subresource=status", "--field-manager=status-writer", "-f", status);

        missing.ExitCode.Should().NotBe(0, missing.StandardOutput);
        missing.StandardError.Should().Contain("NotFound").And.Contain("\"ghost\" not found");
        _api.Get("apps/v1", "Deployment", "shop", "ghost").Should().BeNull("a status write never creates the object");

        // The same write to an object that exists sets its status.
        var existing = await KubectlAsync("apply", "--server-side", "--subresource=status", "--field-manager=status-writer", "-f", Write("web-status.yaml", File.ReadAllText(status).Replace("ghost", "web", StringComparison.Ordinal)));
        existing.ExitCode.Should().Be(0, existing.StandardError);
        _api.Get("apps/v1", "Deployment", "shop", "web")!["status"]!["replicas"]!.ToJsonString().Should().Be("1");
    }
}
