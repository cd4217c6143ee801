using GitOps.Sdk;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;

namespace GitOps.Cli.Tests.Commands;

/// <summary>
/// What a new user does against a real cluster, through the built <c>gitops</c> CLI as a real process against the
/// emulator over HTTP, with CRD establishment delayed as on a real API server (discovery answers 404 at first).
/// </summary>
public sealed class FirstRealClusterSyncTests
{
    private const string Ns = "shop";
    private const string App = "shop";

    private const string Crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: promotions.shop.example.org
        spec:
          group: shop.example.org
          scope: Namespaced
          names:
            plural: promotions
            singular: promotion
            kind: Promotion
            listKind: PromotionList
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      discount:
                        type: integer
        """;

    private const string Promotion = """
        apiVersion: shop.example.org/v1
        kind: Promotion
        metadata:
          name: summer
        spec:
          discount: 15
        """;

    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 2
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels:
                app: web
            spec:
              containers:
              - name: web
                image: nginx:1.27
                ports:
                - containerPort: 80
        """;

    private const string Service = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector:
            app: web
          ports:
          - port: 80
            targetPort: 80
        """;

    private const string Settings = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: settings
        data:
          currency: EUR
        """;

    public static TheoryData<int> EstablishDelays => new()
    {
        // Within the recorded range (83-286 ms), and far longer than the engine's first discovery retry.
        150,
        1500,
    };

    [Theory]
    [MemberData(nameof(EstablishDelays))]
    public async Task Reconcile_FirstSyncDryRunDriftPruneContinuousAndSigterm_AgainstLaggingDiscovery(int establishDelayMs)
    {
        using var temp = new TempDirectory("gitops-cli-first-sync");
        var served = temp.Combine("served");
        Directory.CreateDirectory(served);
        await using var git = await GitDaemonServer.StartAsync(served);
        var repo = await GitTestRepository.CreateAsync(served, "deploy");
        repo.Write("app/crd.yaml", Crd);
        repo.Write("app/promotion.yaml", Promotion);
        repo.Write("app/deployment.yaml", Deployment);
        repo.Write("app/service.yaml", Service);
        repo.Write("app/settings.yaml", Settings);
        await repo.CommitAndPushAsync("shop");
        await using var api = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions { CrdEstablishDelay = TimeSpan.FromMilliseconds(establishDelayMs) });
        string[] common = ["reconcile", "--source", git.UrlOf("deploy"), "--ref", "main", "--path", "app", "--name", App, "--namespace", Ns, "--create-namespace", "--prune", "--allow-cluster-kind", "CustomResourceDefinition.apiextensions.k8s.io", "--kubeconfig", api.KubeconfigPath];
        api.Get("v1", "Namespace", null, Ns).Should().BeNull("the target namespace does not exist yet");

        // 1. First sync: the CRD, its custom resource and the namespaced objects, into a namespace created first.
        var first = await RunOnceAsync([.. common, "--once"]);
        first.Code.Should().Be(0, first.Output);
        api.Get("v1", "Namespace", null, Ns)!["metadata"]!["labels"]![WellKnown.ApplicationLabel]!.GetValue<string>().Should().Be(App);
        api.Get("apiextensions.k8s.io/v1", "CustomResourceDefinition", null, "promotions.shop.example.org").Should().NotBeNull(first.Output);
        api.Get("shop.example.org/v1", "Promotion", Ns, "summer")!["spec"]!["discount"]!.GetValue<long>().Should().Be(15, first.Output);
        api.Get("apps/v1", "Deployment", Ns, "web").Should().NotBeNull();
        api.Get("v1", "Service", Ns, "web").Should().NotBeNull();
        api.Get("v1", "ConfigMap", Ns, "settings").Should().NotBeNull();

        // 2. A dry-run right after: no drift.
        var dry = await RunOnceAsync([.. common, "--dry-run"]);
        dry.Code.Should().Be(0, dry.Output);
        dry.Output.Should().Contain($"{App}: Synced").And.NotContain("+ create").And.NotContain("~ update");

        // 3. Someone deletes the Service and scales the Deployment: corrected.
        (await api.DeleteAsync("v1", "Service", Ns, "web")).Should().BeTrue();
        await api.ApplyAsAsync("kubectl-scale", $"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: {Ns}\nspec:\n  replicas: 7\n");
        Replicas(api).Should().Be(7);
        var corrected = await RunOnceAsync([.. common, "--once"]);
        corrected.Code.Should().Be(0, corrected.Output);
        api.Get("v1", "Service", Ns, "web").Should().NotBeNull(corrected.Output);
        Replicas(api).Should().Be(2, corrected.Output);

        // 4. A file removed from Git: pruned.
        repo.Delete("app/settings.yaml");
        await repo.CommitAndPushAsync("no settings any more");
        var pruned = await RunOnceAsync([.. common, "--once"]);
        pruned.Code.Should().Be(0, pruned.Output);
        api.Get("v1", "ConfigMap", Ns, "settings").Should().BeNull(pruned.Output);
        api.Get("shop.example.org/v1", "Promotion", Ns, "summer").Should().NotBeNull("only the removed file is pruned");

        // 5. Continuous mode restores a deleted Service, then stops cleanly on SIGTERM.
        await using var continuous = CliProcess.Start(common);
        await continuous.WaitForOutputAsync($"{App}: Synced at");
        (await api.DeleteAsync("v1", "Service", Ns, "web")).Should().BeTrue();
        await WaitUntilAsync(() => api.Get("v1", "Service", Ns, "web") is not null, "continuous mode recreated the deleted Service", continuous);
        await continuous.WaitForOutputAsync("(LiveChange,");

        await continuous.SignalAsync("TERM");
        var (code, took) = await continuous.WaitForExitAsync(TimeSpan.FromSeconds(10));
        code.Should().Be(0, continuous.Output);
        took.Should().BeLessThan(TimeSpan.FromSeconds(10));
        continuous.Output.Should().Contain($"{App}: stopped");
    }

    private static long Replicas(KubeApiEmulator api) => api.Get("apps/v1", "Deployment", Ns, "web")!["spec"]!["replicas"]!.GetValue<long>();

    private static async Task<(int Code, string Output)> RunOnceAsync(string[] args)
    {
        await using var cli = CliProcess.Start(args);
        var (code, _) = await cli.WaitForExitAsync(TimeSpan.FromMinutes(2));
        return (code, cli.Output);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, CliProcess cli)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting until {what}:\n{cli.Output}");
            }

            await Task.Delay(50);
        }
    }
}
