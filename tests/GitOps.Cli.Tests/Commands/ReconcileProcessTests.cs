using GitOps.Sdk.Testing;
using k8s;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;

namespace GitOps.Cli.Tests.Commands;

/// <summary><c>gitops reconcile</c> as a real process: cluster access from the environment, and real signals.</summary>
public sealed class ReconcileProcessTests
{
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Reconcile_NoKubeconfigFlag_UsesKubeconfigVariableList()
    {
        using var temp = new TempDirectory("gitops-cli-process");
        await using var world = await World.CreateAsync(temp, kustomize: false);
        var list = string.Join(Path.PathSeparator, temp.Combine("does-not-exist"), world.Api.KubeconfigPath);

        await using var cli = CliProcess.Start(
            ["reconcile", "--source", world.Url, "--ref", "main", "--path", "app", "--namespace", "default", "--once"],
            new Dictionary<string, string?> { ["KUBECONFIG"] = list, ["HOME"] = temp.Combine("home") });
        var (code, _) = await cli.WaitForExitAsync(TimeSpan.FromMinutes(2));

        code.Should().Be(0, cli.Output);
        world.Api.Get("v1", "ConfigMap", "default", "settings").Should().NotBeNull(cli.Output);
    }

    [Fact]
    public async Task Reconcile_OnceSigtermWhileKustomizeRuns_KillsToolTreeAndExitsInterrupted()
    {
        using var temp = new TempDirectory("gitops-cli-process");
        await using var world = await World.CreateAsync(temp, kustomize: true);

        await using var cli = CliProcess.Start(
            ["reconcile", "--source", world.Url, "--ref", "main", "--path", "app", "--namespace", "default", "--once", "--kubeconfig", world.Api.KubeconfigPath],
            world.ToolEnvironment);
        var (toolPid, sleeperPid) = await world.WaitForToolAsync(cli);
        CliProcess.IsAlive(sleeperPid).Should().BeTrue("the fake kustomize is rendering when the signal arrives");

        await cli.SignalAsync("TERM");
        var (code, took) = await cli.WaitForExitAsync(ExitWithin);

        code.Should().Be(143, cli.Output);
        took.Should().BeLessThan(ExitWithin);
        CliProcess.IsAlive(toolPid).Should().BeFalse("the tool is killed on cancel");
        CliProcess.IsAlive(sleeperPid).Should().BeFalse("the tool's own child is killed with its tree");
        world.Api.Get("v1", "ConfigMap", "default", "settings").Should().BeNull("nothing was applied");
    }

    [Fact]
    public async Task Reconcile_ContinuousSigterm_StopsCleanlyWithExitCodeZero()
    {
        using var temp = new TempDirectory("gitops-cli-process");
        await using var world = await World.CreateAsync(temp, kustomize: false);

        await using var cli = CliProcess.Start(
            ["reconcile", "--source", world.Url, "--ref", "main", "--path", "app", "--namespace", "default", "--kubeconfig", world.Api.KubeconfigPath]);
        await cli.WaitForOutputAsync("Applied at");

        await cli.SignalAsync("TERM");
        var (code, took) = await cli.WaitForExitAsync(ExitWithin);

        code.Should().Be(0, cli.Output);
        took.Should().BeLessThan(ExitWithin);
        cli.Output.Should().Contain(": stopped");
        (await world.InventoryEntriesAsync()).Should().Contain("settings", "the inventory written before the signal is complete");
    }

    [Fact]
    public async Task Reconcile_Continuous_DriftByAnotherActorCorrectedAndPrinted_ThenSigtermExitsZero()
    {
        using var temp = new TempDirectory("gitops-cli-process");
        await using var world = await World.CreateAsync(temp, kustomize: false);

        await using var cli = CliProcess.Start(
            ["reconcile", "--source", world.Url, "--ref", "main", "--path", "app", "--namespace", "default", "--kubeconfig", world.Api.KubeconfigPath]);
        await cli.WaitForOutputAsync("Applied at");
        await cli.WaitForOutputAsync("watching");

        // Someone edits the object while the CLI runs: its watch sees it, the drift is printed with who made it, and reverted.
        await world.Api.MutateAsync("v1", "ConfigMap", "default", "settings", o => o["data"]!["k"] = "edited by hand", manager: "kubectl-edit");
        var output = await cli.WaitForOutputAsync("configured /ConfigMap/default/settings");
        await WaitUntilAsync(() => (string?)world.Api.Get("v1", "ConfigMap", "default", "settings")?["data"]?["k"] == "v", "the CLI reverted the edit");

        output.Should().Contain("drift /ConfigMap/default/settings").And.Contain("kubectl-edit");
        await cli.SignalAsync("TERM");
        var (code, took) = await cli.WaitForExitAsync(ExitWithin);

        code.Should().Be(0, cli.Output);
        took.Should().BeLessThan(ExitWithin);
        cli.Output.Should().Contain(": stopped");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string because)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting until {because}");
            }

            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Reconcile_ContinuousStartedInBackground_StopsOnSigint()
    {
        using var temp = new TempDirectory("gitops-cli-process");
        await using var world = await World.CreateAsync(temp, kustomize: true);

        await using var cli = CliProcess.StartInBackground(
            ["reconcile", "--source", world.Url, "--ref", "main", "--path", "app", "--namespace", "default", "--kubeconfig", world.Api.KubeconfigPath],
            world.ToolEnvironment);
        var (toolPid, sleeperPid) = await world.WaitForToolAsync(cli);

        await cli.SignalAsync("INT");
        var (code, took) = await cli.WaitForExitAsync(ExitWithin);

        took.Should().BeLessThan(ExitWithin, cli.Output);
        code.Should().Be(0, "a stop by signal is a clean exit; the interrupted reconcile is cancelled, not failed:\n" + cli.Output);
        cli.Output.Should().Contain("Cancelled at").And.Contain(": stopped");
        CliProcess.IsAlive(toolPid).Should().BeFalse();
        CliProcess.IsAlive(sleeperPid).Should().BeFalse();
    }

    /// <summary>A git daemon with one repository, an emulator, and (optionally) a fake slow kustomize on PATH.</summary>
    private sealed class World : IAsyncDisposable
    {
        private readonly GitDaemonServer _git;
        private readonly TempDirectory _temp;

        private World(TempDirectory temp, GitDaemonServer git, KubeApiEmulator api, string url)
        {
            _temp = temp;
            _git = git;
            Api = api;
            Url = url;
        }

        public KubeApiEmulator Api { get; }

        public string Url { get; }

        /// <summary>Gets PATH with the fake kustomize first.</summary>
        public Dictionary<string, string?> ToolEnvironment => new()
        {
            ["PATH"] = _temp.Combine("bin") + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
        };

        public static async Task<World> CreateAsync(TempDirectory temp, bool kustomize)
        {
            var served = temp.Combine("served");
            Directory.CreateDirectory(served);
            var git = await GitDaemonServer.StartAsync(served);
            var repo = await GitTestRepository.CreateAsync(served, "deploy");
            repo.Write("app/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  k: v\n");
            if (kustomize)
            {
                repo.Write("app/kustomization.yaml", "resources:\n- settings.yaml\n");

                // A slow kustomize that starts a child of its own (as kustomize does for git or helm) and records both pids.
                var marks = temp.Combine("marks");
                Directory.CreateDirectory(marks);
                var script = temp.WriteFile(
                    Path.Combine("bin", "kustomize"),
                    "#!/bin/sh\n" +
                    $"echo $$ > '{marks}/tool.pid'\n" +
                    "sleep 300 &\n" +
                    $"echo $! > '{marks}/sleeper.pid.tmp' && mv '{marks}/sleeper.pid.tmp' '{marks}/sleeper.pid'\n" +
                    "wait\n");
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }

            await repo.CommitAndPushAsync("first");
            var api = await KubeApiEmulator.StartAsync();
            return new World(temp, git, api, git.UrlOf("deploy"));
        }

        /// <summary>Waits until the fake kustomize and its child run; returns their pids.</summary>
        public async Task<(int Tool, int Sleeper)> WaitForToolAsync(CliProcess cli)
        {
            var sleeperFile = _temp.Combine("marks", "sleeper.pid");
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!File.Exists(sleeperFile))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("the fake kustomize did not start:\n" + cli.Output);
                }

                await Task.Delay(50);
            }

            static int Read(string file) => int.Parse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            return (Read(_temp.Combine("marks", "tool.pid")), Read(sleeperFile));
        }

        public async Task<string> InventoryEntriesAsync()
        {
            using var client = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(Api.KubeconfigPath));
            var inventories = await client.CoreV1.ListNamespacedConfigMapAsync("gitops-system");
            return string.Join("\n", inventories.Items.Select(static i => string.Join(",", i.Data?.Values ?? [])));
        }

        public async ValueTask DisposeAsync()
        {
            await Api.DisposeAsync();
            await _git.DisposeAsync();
        }
    }
}
