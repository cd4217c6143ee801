using GitOps.Cli.Commands;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;

namespace GitOps.Cli.Tests.Commands;

/// <summary>
/// <c>gitops diff</c> against a live cluster (like <c>kubectl diff</c>) and <c>gitops status</c> from the cluster's
/// inventory: the objects are applied by <c>gitops reconcile</c> from a git daemon into the emulator over HTTP, then
/// another actor deletes the Service and scales the Deployment.
/// </summary>
public sealed class ClusterDiffAndStatusTests
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          selector:
            matchLabels: { app: web }
          template:
            metadata:
              labels: { app: web }
            spec:
              containers:
                - name: web
                  image: registry.example.com/web:1.4.2
        """;

    private const string Service = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector: { app: web }
          ports:
            - port: 80
              targetPort: 8080
        """;

    private const string Settings = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  GREETING: hello\n";

    [Fact]
    public async Task DiffAndStatus_AfterAnotherActorDeletesTheServiceAndScalesTheDeployment_ShowBothWithExitCode1()
    {
        using var temp = new TempDirectory("gitops-cli-cluster-diff");
        var served = temp.Combine("served");
        Directory.CreateDirectory(served);
        await using var git = await GitDaemonServer.StartAsync(served);
        var repo = await GitTestRepository.CreateAsync(served, "deploy");
        repo.Write("app/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n").Write("app/deployment.yaml", Deployment).Write("app/service.yaml", Service).Write("app/settings.yaml", Settings);
        await repo.CommitAndPushAsync("the shop");
        await using var api = await KubeApiEmulator.StartAsync();
        var manifests = Path.Combine(repo.WorkTree, "app");
        var applied = await Run("reconcile", "--source", git.UrlOf("deploy"), "--ref", "main", "--path", "app", "--name", "shop",
            "--namespace", "shop", "--once", "--kubeconfig", api.KubeconfigPath);
        applied.Code.Should().Be(ReconcileCommand.InSync, applied.Output);

        var clean = await Run("diff", "-f", manifests, "-n", "shop", "--application", "shop", "--kubeconfig", api.KubeconfigPath);
        clean.Code.Should().Be(DiffCommand.NoDrift, clean.Output);
        var healthy = await Run("status", "--kubeconfig", api.KubeconfigPath);
        healthy.Code.Should().Be(StatusCommand.Ok, healthy.Output);
        healthy.Output.Should().Contain("shop  revision main@sha1:").And.Contain("/Service/shop/web").And.Contain("Present");

        (await api.DeleteAsync("v1", "Service", "shop", "web")).Should().BeTrue();
        await api.MutateAsync("apps/v1", "Deployment", "shop", "web", o => o["spec"]!["replicas"] = 5, "kubectl-scale");

        var diff = await Run("diff", "-f", manifests, "-n", "shop", "--kubeconfig", api.KubeconfigPath);

        diff.Code.Should().Be(DiffCommand.Drift, diff.Output);
        diff.Output.Should().Contain("# /Service/shop/web: create");
        diff.Output.Should().Contain("# apps/Deployment/shop/web: update")
            .And.Contain("#   spec.replicas: live 5 → desired 2 (live value by kubectl-scale)");
        diff.Output.Should().Contain("-  replicas: 5").And.Contain("+  replicas: 2");
        diff.Output.Should().NotContain("ConfigMap/shop/settings", "an unchanged object is not listed");
        diff.Output.Should().NotContain("\u001b[", "output that is not a terminal is never coloured");

        var status = await Run("status", "--application", "shop", "--kubeconfig", api.KubeconfigPath);
        status.Code.Should().Be(StatusCommand.Attention, status.Output);
        status.Output.Should().MatchRegex(@"/Service/shop/web\s+Missing\s+Missing").And.Contain("1 need attention");

        // With the application, an object its inventory holds that the manifests no longer declare is a prune.
        File.Delete(Path.Combine(manifests, "settings.yaml"));
        var pruned = await Run("diff", "-f", manifests, "-n", "shop", "--application", "shop", "--kubeconfig", api.KubeconfigPath, "-o", "json");
        pruned.Code.Should().Be(DiffCommand.Drift, pruned.Output);
        pruned.Output.Should().Contain("\"key\": \"/ConfigMap/shop/settings\"").And.Contain("\"action\": \"prune\"");
    }

    [Fact]
    public async Task Diff_SyncHooksAndSkippedObjects_AreNeverDrift_AsInTheEngine()
    {
        using var temp = new TempDirectory("gitops-cli-cluster-diff-hooks");
        await using var api = await KubeApiEmulator.StartAsync();
        await api.CreateAsync("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n");
        await api.CreateAsync(Settings.Replace("name: settings", "name: settings\n  namespace: shop", StringComparison.Ordinal));
        var manifests = temp.Combine("app");
        Directory.CreateDirectory(manifests);
        await File.WriteAllTextAsync(Path.Combine(manifests, "settings.yaml"), Settings);
        await File.WriteAllTextAsync(Path.Combine(manifests, "smoke.yaml"), Hook("smoke", "argocd.argoproj.io/hook: PostSync"));
        await File.WriteAllTextAsync(Path.Combine(manifests, "migrate.yaml"), Hook("migrate", "helm.sh/hook: pre-upgrade"));
        await File.WriteAllTextAsync(Path.Combine(manifests, "skipped.yaml"), Hook("skipped", "gitops.sdk.io/hook: Skip"));

        var diff = await Run("diff", "-f", manifests, "-n", "shop", "--kubeconfig", api.KubeconfigPath);

        diff.Code.Should().Be(DiffCommand.NoDrift, diff.Output);
        diff.Output.Should().NotContain("batch/Job");

        // A live hook (a finished Job kept by BeforeHookCreation) in a file of live objects is not a prune either.
        var live = temp.Combine("live.json");
        var settings = api.Get("v1", "ConfigMap", "shop", "settings")!.ToJsonString();
        await api.CreateAsync(Hook("smoke", "argocd.argoproj.io/hook: PostSync").Replace("name: smoke", "name: smoke\n  namespace: shop", StringComparison.Ordinal));
        var job = api.Get("batch/v1", "Job", "shop", "smoke")!.ToJsonString();
        await File.WriteAllTextAsync(live, $$"""{"apiVersion":"v1","kind":"List","items":[{{settings}},{{job}}]}""");
        var withLive = await Run("diff", "-f", Path.Combine(manifests, "settings.yaml"), "--live", live);
        withLive.Code.Should().Be(DiffCommand.NoDrift, withLive.Output);
    }

    private static string Hook(string name, string annotation) => $"""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: {name}
          annotations:
            {annotation}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: main
                  image: registry.example.com/tools:1.0
        """;

    [Fact]
    public async Task Diff_ClusterUnreachable_ExitCode2NamingTheProblemWithoutCredentials()
    {
        using var temp = new TempDirectory("gitops-cli-cluster-down");
        var kubeconfig = temp.Combine("kubeconfig");
        var server = $"http://127.0.0.1:{FreePort.Next()}";
        await File.WriteAllTextAsync(kubeconfig, string.Join('\n',
            "apiVersion: v1",
            "kind: Config",
            "clusters: [{name: down, cluster: {server: \"" + server + "\"}}]",
            "users: [{name: u, user: {token: s3cr3t-token}}]",
            "contexts: [{name: down, context: {cluster: down, user: u}}]",
            "current-context: down"));
        var manifest = temp.Combine("settings.yaml");
        await File.WriteAllTextAsync(manifest, Settings);

        var (code, output) = await Run("diff", "-f", manifest, "--kubeconfig", kubeconfig);

        code.Should().Be(DiffCommand.Error, output);
        output.Should().StartWith("gitops diff: cannot read the live objects from the cluster: ").And.NotContain("s3cr3t-token").And.NotContain("   at ");
        var (statusCode, statusOutput) = await Run("status", "--kubeconfig", kubeconfig);
        statusCode.Should().Be(StatusCommand.Error, statusOutput);
        statusOutput.Should().StartWith("gitops status: cannot read the cluster: ");
    }

    [Fact]
    public void UnifiedDiff_Coloured_RemovedRedAddedGreenHunksCyan_AndNothingWhenOff()
    {
        const string diff = "--- live\n+++ desired\n@@ -1 +1 @@\n-  replicas: 5\n+  replicas: 2\n   name: web";

        var coloured = CliColor.UnifiedDiff(diff, enabled: true);

        coloured.Should().Contain("\u001b[31m-  replicas: 5\u001b[0m").And.Contain("\u001b[32m+  replicas: 2\u001b[0m")
            .And.Contain("\u001b[36m@@ -1 +1 @@\u001b[0m").And.Contain("\u001b[1m--- live\u001b[0m").And.EndWith("   name: web");
        CliColor.UnifiedDiff(diff, enabled: false).Should().Be(diff);
        CliColor.Enabled(new StringWriter()).Should().BeFalse("only the process's own console is coloured");
    }

    private static async Task<(int Code, string Output)> Run(params string[] args)
    {
        using var output = new StringWriter();
        var code = await Program.RunAsync(args, new System.CommandLine.InvocationConfiguration { Output = output, Error = output });
        return (code, output.ToString());
    }
}
