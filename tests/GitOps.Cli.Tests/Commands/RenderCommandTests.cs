using System.CommandLine;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Cli.Tests.Commands;

public sealed class RenderCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new("cli-render");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Render_PlainFolder_PrintsObjectsWithNamespaceAndOwnershipMarks()
    {
        _temp.WriteFile("app/config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n");
        _temp.WriteFile("app/role.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n");

        var (exit, stdout, stderr) = await RunAsync("render", _temp.Combine("app"), "--namespace", "shop", "--application", "shop");

        stderr.Should().BeEmpty();
        exit.Should().Be(0);
        stdout.Should().Contain("name: settings").And.Contain("namespace: shop").And.Contain("color: blue");
        stdout.Should().Contain("gitops.sdk.io/application: shop").And.Contain("shop:/ConfigMap:shop/settings").And.Contain("shop:rbac.authorization.k8s.io/ClusterRole:/reader");
        stdout.Should().Contain("---");
    }

    [Fact]
    public async Task Render_KustomizationWithAutoRenderer_UsesKustomize()
    {
        TestPaths.RequireTool("kubectl");
        _temp.WriteFile("k/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\n");
        _temp.WriteFile("k/kustomization.yaml", "resources:\n- cm.yaml\nnamePrefix: prod-\n");
        using var path = new PathWithTools();

        var (exit, stdout, stderr) = await RunAsync("render", _temp.Combine("k"));

        stderr.Should().BeEmpty();
        exit.Should().Be(0);
        stdout.Should().Contain("name: prod-base");
    }

    [Fact]
    public async Task Render_BrokenManifests_ExitsTwoWithTheErrorList()
    {
        _temp.WriteFile("bad/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: [not, a, map\n");

        var (exit, stdout, stderr) = await RunAsync("render", _temp.Combine("bad"), "--renderer", "plain");

        exit.Should().Be(2);
        stdout.Should().BeEmpty();
        stderr.Should().Contain("failed").And.Contain("a.yaml").And.Contain("application 'default'");
    }

    [Fact]
    public async Task Render_ExplicitRendererThatDoesNotFit_ExitsTwo()
    {
        _temp.WriteFile("plain/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n");

        var (exit, _, stderr) = await RunAsync("render", _temp.Combine("plain"), "--renderer", "helm");

        exit.Should().Be(2);
        stderr.Should().Contain("Chart.yaml");
    }

    [Fact]
    public async Task Render_MissingFolder_ExitsTwo()
    {
        var (exit, _, stderr) = await RunAsync("render", _temp.Combine("nope"));

        exit.Should().Be(2);
        stderr.Should().Contain("does not exist");
    }

    [Fact]
    public async Task Render_Help_SaysSecretsArePrintedAsRendered()
    {
        var (exit, stdout, _) = await RunAsync("render", "--help");

        exit.Should().Be(0);
        stdout.Should().Contain("--renderer").And.Contain("Secret data").And.Contain("not masked");
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CliApp.BuildRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    /// <summary>Puts the test tools folder first on PATH for the duration of a test, so the CLI finds kubectl as a user's shell would.</summary>
    private sealed class PathWithTools : IDisposable
    {
        private readonly string? _original = Environment.GetEnvironmentVariable("PATH");

        public PathWithTools() =>
            Environment.SetEnvironmentVariable("PATH", Path.GetDirectoryName(TestPaths.RequireTool("kubectl")) + Path.PathSeparator + _original);

        public void Dispose() => Environment.SetEnvironmentVariable("PATH", _original);
    }
}
