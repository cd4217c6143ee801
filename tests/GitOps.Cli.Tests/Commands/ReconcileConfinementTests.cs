using GitOps.Cli.Commands;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;

namespace GitOps.Cli.Tests.Commands;

/// <summary><c>gitops reconcile --namespace probes</c> confines the repository to <c>probes</c>; the flags mirror the options.</summary>
public sealed class ReconcileConfinementTests
{
    [Fact]
    public async Task Reconcile_NamespaceFlag_RefusesEscapeAndClusterAdmin_FlagsAllowThem()
    {
        using var temp = new TempDirectory("gitops-cli-confine");
        var served = temp.Combine("served");
        Directory.CreateDirectory(served);
        await using var git = await GitDaemonServer.StartAsync(served);
        var repo = await GitTestRepository.CreateAsync(served, "deploy");
        repo.Write("app/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: probes\n");
        repo.Write("app/ok.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\ndata:\n  k: v\n");
        repo.Write("app/escape.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s05-escape\n  namespace: kube-system\n");
        repo.Write(
            "app/root.yaml",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: s05-root\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n  - kind: ServiceAccount\n    name: default\n    namespace: probes\n");
        await repo.CommitAndPushAsync("a repository that reaches beyond probes");
        await using var api = await KubeApiEmulator.StartAsync();

        (int Code, string Output) Run(params string[] extra)
        {
            var output = new StringWriter();
            var args = new[] { "reconcile", "--source", git.UrlOf("deploy"), "--ref", "main", "--path", "app", "--namespace", "probes", "--kubeconfig", api.KubeconfigPath, "--once" }.Concat(extra).ToArray();
            var parse = CliApp.BuildRootCommand().Parse(args);
            parse.InvocationConfiguration.Output = output;
            parse.InvocationConfiguration.Error = output;
            var code = parse.InvokeAsync().GetAwaiter().GetResult();
            return (code, output.ToString());
        }

        var refused = Run();

        refused.Code.Should().Be(ReconcileCommand.Error, refused.Output);
        refused.Output.Should().Contain("refused app/escape.yaml#0").And.Contain("/ConfigMap/kube-system/s05-escape").And.Contain("--allow-namespace")
            .And.Contain("refused app/root.yaml#0").And.Contain("cluster-admin").And.Contain("--allow-cluster-admin-binding")
            .And.Contain("--allow-cluster-kind ClusterRoleBinding.rbac.authorization.k8s.io");
        api.Get("v1", "ConfigMap", "kube-system", "s05-escape").Should().BeNull();
        api.Get("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", null, "s05-root").Should().BeNull();
        api.Get("v1", "ConfigMap", "probes", "ok").Should().BeNull("the whole revision is refused");
        api.Get("v1", "Namespace", null, "probes").Should().BeNull();

        var allowed = Run("--allow-namespace", "kube-system", "--allow-cluster-kind", "ClusterRoleBinding.rbac.authorization.k8s.io", "--allow-cluster-admin-binding");

        allowed.Code.Should().Be(ReconcileCommand.InSync, allowed.Output);
        api.Get("v1", "ConfigMap", "kube-system", "s05-escape").Should().NotBeNull();
        api.Get("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", null, "s05-root").Should().NotBeNull();
        api.Get("v1", "ConfigMap", "probes", "ok").Should().NotBeNull("--allow-namespace adds to --namespace");
    }

    [Fact]
    public void ReconcileHelp_DocumentsTheConfinementFlags()
    {
        var output = new StringWriter();
        var parse = CliApp.BuildRootCommand().Parse(["reconcile", "--help"]);
        parse.InvocationConfiguration.Output = output;
        parse.Invoke();

        output.ToString().Should().Contain("--allow-namespace").And.Contain("--allow-cluster-kind").And.Contain("--deny-kind").And.Contain("--allow-cluster-admin-binding");
    }
}
