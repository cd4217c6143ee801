using GitOps.Cli.Commands;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;

namespace GitOps.Cli.Tests.Commands;

public sealed class ReconcileCommandTests
{
    [Fact]
    public async Task Reconcile_OnceRunsThenDryRunThenPrune_UseInventoryInCluster()
    {
        using var temp = new TempDirectory("gitops-cli-reconcile");
        var served = temp.Combine("served");
        Directory.CreateDirectory(served);
        await using var git = await GitDaemonServer.StartAsync(served);
        var repo = await GitTestRepository.CreateAsync(served, "deploy");
        repo.Write("app/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: one\n");
        repo.Write("app/b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: two\n");
        await repo.CommitAndPushAsync("first");
        await using var api = await KubeApiEmulator.StartAsync();
        var url = git.UrlOf("deploy");

        (int Code, string Output) Run(params string[] extra) => RunWith(api.KubeconfigPath, extra);

        (int Code, string Output) RunWith(string kubeconfig, params string[] extra)
        {
            var output = new StringWriter();
            var args = new[] { "reconcile", "--source", url, "--ref", "main", "--path", "app", "--namespace", "default", "--kubeconfig", kubeconfig }.Concat(extra).ToArray();
            var parse = CliApp.BuildRootCommand().Parse(args);
            parse.InvocationConfiguration.Output = output;
            parse.InvocationConfiguration.Error = output;
            var code = parse.InvokeAsync().GetAwaiter().GetResult();
            return (code, output.ToString());
        }

        var first = Run("--once");
        first.Code.Should().Be(ReconcileCommand.InSync, first.Output);
        first.Output.Should().Contain("created /ConfigMap/default/a");
        api.Get("v1", "ConfigMap", "default", "b").Should().NotBeNull();

        repo.Write("app/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: changed\n");
        repo.Delete("app/b.yaml");
        await repo.CommitAndPushAsync("second");

        var dry = Run("--dry-run", "--prune");
        dry.Code.Should().Be(ReconcileCommand.Drift, dry.Output);
        dry.Output.Should().Contain("~ update /ConfigMap/default/a").And.Contain("- prune /ConfigMap/default/b").And.Contain("changed");
        ((string?)api.Get("v1", "ConfigMap", "default", "a")!["data"]!["k"]).Should().Be("one", "a dry run changes nothing");

        var second = Run("--once", "--prune");
        second.Code.Should().Be(ReconcileCommand.InSync, second.Output);
        ((string?)api.Get("v1", "ConfigMap", "default", "a")!["data"]!["k"]).Should().Be("changed");
        api.Get("v1", "ConfigMap", "default", "b").Should().BeNull("a separate run prunes what an earlier run applied");

        var bad = RunWith(temp.Combine("missing-kubeconfig"), "--once");
        bad.Code.Should().Be(ReconcileCommand.Error);
    }

    [Fact]
    public async Task Reconcile_ObjectsHeldByOthers_RefusedNonZeroUntilAdopt()
    {
        using var temp = new TempDirectory("gitops-cli-adopt");
        var served = temp.Combine("served");
        Directory.CreateDirectory(served);
        await using var git = await GitDaemonServer.StartAsync(served);
        var repo = await GitTestRepository.CreateAsync(served, "deploy");
        repo.Write("app/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: from-git\n");
        await repo.CommitAndPushAsync("first");
        await using var api = await KubeApiEmulator.StartAsync();
        await api.CreateAsync("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: default\ndata:\n  k: by-hand\n", manager: "kubectl-create");
        var url = git.UrlOf("deploy");

        (int Code, string Output) Run(params string[] extra)
        {
            var output = new StringWriter();
            var args = new[] { "reconcile", "--source", url, "--ref", "main", "--path", "app", "--namespace", "default", "--kubeconfig", api.KubeconfigPath }.Concat(extra).ToArray();
            var parse = CliApp.BuildRootCommand().Parse(args);
            parse.InvocationConfiguration.Output = output;
            parse.InvocationConfiguration.Error = output;
            var code = parse.InvokeAsync().GetAwaiter().GetResult();
            return (code, output.ToString());
        }

        var dry = Run("--dry-run");
        dry.Code.Should().Be(ReconcileCommand.Refused, dry.Output);
        dry.Output.Should().Contain("skip /ConfigMap/default/a").And.Contain("kubectl-create").And.Contain("--adopt").And.Contain("Refused")
            .And.NotContain("AllowTakeover is off", "messages name only options that exist");

        var once = Run("--once");
        once.Code.Should().Be(ReconcileCommand.Refused, once.Output);
        once.Output.Should().Contain("refused /ConfigMap/default/a");
        ((string?)api.Get("v1", "ConfigMap", "default", "a")!["data"]!["k"]).Should().Be("by-hand");

        var adopted = Run("--once", "--adopt");
        adopted.Code.Should().Be(ReconcileCommand.InSync, adopted.Output);
        adopted.Output.Should().Contain("adopted");
        ((string?)api.Get("v1", "ConfigMap", "default", "a")!["data"]!["k"]).Should().Be("from-git");

        var other = Run("--once", "--name", "someone-else");
        other.Code.Should().Be(ReconcileCommand.Refused, other.Output);
        other.Output.Should().Contain("--takeover").And.Contain("AllowTakeover");
        ((string?)api.Get("v1", "ConfigMap", "default", "a")!["data"]!["k"]).Should().Be("from-git");
    }

    [Fact]
    public async Task Reconcile_DryRunCrdNotInstalled_ListsCustomResourceAsCreatedAfterTheCrd()
    {
        using var temp = new TempDirectory("gitops-cli-reconcile");
        var served = temp.Combine("served");
        Directory.CreateDirectory(served);
        await using var git = await GitDaemonServer.StartAsync(served);
        var repo = await GitTestRepository.CreateAsync(served, "deploy");
        repo.Write("app/crd.yaml", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: promotions.shop.example.org\nspec:\n  group: shop.example.org\n  scope: Namespaced\n  names:\n    plural: promotions\n    singular: promotion\n    kind: Promotion\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        x-kubernetes-preserve-unknown-fields: true\n");
        repo.Write("app/promotion.yaml", "apiVersion: shop.example.org/v1\nkind: Promotion\nmetadata:\n  name: summer\nspec:\n  discount: 15\n");
        await repo.CommitAndPushAsync("crd and its resource");
        await using var api = await KubeApiEmulator.StartAsync();
        var output = new StringWriter();
        var parse = CliApp.BuildRootCommand().Parse(["reconcile", "--source", git.UrlOf("deploy"), "--ref", "main", "--path", "app", "--name", "shop", "--namespace", "shop", "--create-namespace", "--dry-run", "--allow-cluster-kind", "CustomResourceDefinition.apiextensions.k8s.io", "--kubeconfig", api.KubeconfigPath]);
        parse.InvocationConfiguration.Output = output;
        parse.InvocationConfiguration.Error = output;

        var code = await parse.InvokeAsync();

        code.Should().Be(ReconcileCommand.Drift, output.ToString());
        output.ToString().Should().Contain("+ create /Namespace//shop")
            .And.Contain("+ create apiextensions.k8s.io/CustomResourceDefinition//promotions.shop.example.org")
            .And.Contain("+ create shop.example.org/Promotion/shop/summer (will be created after the CRD promotions.shop.example.org)")
            .And.NotContain("RestMapping");
        api.Get("v1", "Namespace", null, "shop").Should().BeNull("a dry-run creates nothing");
    }

    [Fact]
    public void DefaultName_IsStableAndDerivedFromSourceAndPath()
    {
        var a = ReconcileCommand.DefaultName("https://user:secret@git.example.com/shop.git", null, "apps/shop");

        a.Should().Be(ReconcileCommand.DefaultName("https://git.example.com/shop.git", null, "/apps/shop/"));
        a.Should().MatchRegex("^gitops-[0-9a-f]{10}$");
        a.Should().NotBe(ReconcileCommand.DefaultName("https://git.example.com/shop.git", null, "apps/web"));
    }
}
