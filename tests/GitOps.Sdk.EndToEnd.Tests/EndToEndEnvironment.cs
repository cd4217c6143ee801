using System.Collections.Concurrent;
using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>
/// One real world: a git daemon serving a repository made with the git CLI, the Kubernetes API emulator over HTTP,
/// and a host running the engine with the real Git source and Kubernetes target.
/// </summary>
internal sealed class EndToEndEnvironment : IAsyncDisposable
{
    public const string App = "storefront";
    public const string Namespace = "demo";

    private readonly TempDirectory _temp;
    private readonly GitDaemonServer _git;
    private readonly IDisposable _subscription;
    private bool _started;

    private EndToEndEnvironment(TempDirectory temp, GitDaemonServer git, GitTestRepository repo, KubeApiEmulator api, IHost host)
    {
        _temp = temp;
        _git = git;
        Repo = repo;
        Api = api;
        Host = host;
        Controller = host.Services.GetRequiredService<IGitOpsController>();
        _subscription = Controller.Events.Subscribe(Events.Enqueue);
    }

    public GitTestRepository Repo { get; }

    public KubeApiEmulator Api { get; }

    public IHost Host { get; }

    public IGitOpsController Controller { get; }

    public ConcurrentQueue<ReconcileEvent> Events { get; } = new();

    public string SourceUrl => _git.UrlOf("deploy");

    public static async Task<EndToEndEnvironment> CreateAsync(Func<ApplicationDefinition, ApplicationDefinition>? app = null, Action<IGitOpsBuilder>? builder = null)
    {
        var temp = new TempDirectory("gitops-e2e");
        var served = temp.Combine("served");
        Directory.CreateDirectory(served);
        var git = await GitDaemonServer.StartAsync(served);
        var repo = await GitTestRepository.CreateAsync(served, "deploy");
        repo.Write("README.md", "demo repository\n");
        foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.RepositoryRoot, "samples", "demo-repo"), "*.yaml"))
        {
            repo.Write("deploy/" + Path.GetFileName(file), await File.ReadAllTextAsync(file));
        }

        await repo.CommitAndPushAsync("initial desired state");
        var api = await KubeApiEmulator.StartAsync();

        var hostBuilder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var gitops = hostBuilder.Services.AddGitOps(o =>
            {
                o.JitterFraction = 0;
                o.DriftDebounce = TimeSpan.FromMilliseconds(100);
                var definition = new ApplicationDefinition
                {
                    Name = App,
                    Source = new SourceReference { Url = git.UrlOf("deploy"), Ref = "main" },
                    Path = "deploy",
                    Namespace = Namespace,

                    // Long enough that anything happening within a test was triggered by a watch event, a webhook or a request.
                    Interval = TimeSpan.FromHours(1),
                    MinRetryDelay = TimeSpan.FromHours(1),
                    MaxRetryDelay = TimeSpan.FromHours(1),
                };
                o.Applications.Add(app?.Invoke(definition) ?? definition);
            })
            .AddGitSource(o => o.CacheDirectory = temp.Combine("git-cache"))
            .AddKubernetesTarget(o => o.KubeconfigPath = api.KubeconfigPath);
        builder?.Invoke(gitops);
        var host = hostBuilder.Build();
        return new EndToEndEnvironment(temp, git, repo, api, host);
    }

    /// <summary>Starts the host (the scheduler reconciles at once) and waits for the first reconcile to finish.</summary>
    public async Task StartAsync()
    {
        await Host.StartAsync();
        _started = true;
        await WaitUntilAsync(() => Completed.Count >= 1, "the start-up reconcile finished");
    }

    public IReadOnlyList<ReconcileCompleted> Completed => [.. Events.OfType<ReconcileCompleted>()];

    public IReadOnlyList<T> EventsOf<T>()
        where T : ReconcileEvent => [.. Events.OfType<T>()];

    public string? ConfigValue(string key = "GREETING") =>
        (string?)Api.Get("v1", "ConfigMap", Namespace, "web-settings")?["data"]?[key];

    public bool Exists(string apiVersion, string kind, string name, string? @namespace = Namespace) =>
        Api.Get(apiVersion, kind, @namespace, name) is not null;

    /// <summary>Commits and pushes, then calls the webhook entry point (what a push notification would do).</summary>
    public async Task<string> PushAsync(string message)
    {
        var sha = await Repo.CommitAndPushAsync(message);
        Controller.NotifySourceChanged(SourceUrl).Should().Be(1);
        await WaitUntilAsync(() => Completed.Any(c => c.Revision?.Contains(sha, StringComparison.Ordinal) == true), $"commit {sha} was reconciled");
        return sha;
    }

    /// <summary>Waits (bounded, real time) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string because)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting until {because}");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        if (_started)
        {
            await Host.StopAsync();
        }

        Host.Dispose();
        await Api.DisposeAsync();
        await _git.DisposeAsync();
        _temp.Dispose();
    }
}
