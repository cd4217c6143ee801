using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.EndToEnd.Tests.Safety;

/// <summary>
/// A cluster (the API emulator over HTTP) shared by several applications, each with its own repository served by a
/// real git daemon. Every <see cref="ReconcileAsync"/> builds a fresh host (like one <c>gitops reconcile --once</c>),
/// so runs share nothing but the cluster, where the inventories live.
/// </summary>
internal sealed class SafetyWorld : IAsyncDisposable
{
    /// <summary>The namespace the applications deploy to; created by hand before any application runs.</summary>
    public const string Namespace = "team";

    private readonly TempDirectory _temp;
    private readonly GitDaemonServer _git;
    private readonly Dictionary<string, GitTestRepository> _repos = new(StringComparer.Ordinal);

    private SafetyWorld(TempDirectory temp, GitDaemonServer git, KubeApiEmulator api)
    {
        _temp = temp;
        _git = git;
        Api = api;
    }

    public KubeApiEmulator Api { get; }

    public static async Task<SafetyWorld> CreateAsync(KubeApiEmulatorOptions? options = null)
    {
        var temp = new TempDirectory("gitops-safety");
        Directory.CreateDirectory(temp.Combine("served"));
        var git = await GitDaemonServer.StartAsync(temp.Combine("served"));
        var api = await KubeApiEmulator.StartAsync(options);
        await api.CreateAsync($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {Namespace}\n", manager: "kubectl-create");
        return new SafetyWorld(temp, git, api);
    }

    /// <summary>Writes <paramref name="files"/> (path → content; <see langword="null"/> deletes) into the application's repository and pushes.</summary>
    public async Task PushAsync(string application, params (string Path, string? Content)[] files)
    {
        if (!_repos.TryGetValue(application, out var repo))
        {
            repo = await GitTestRepository.CreateAsync(_temp.Combine("served"), application);
            repo.Write("README.md", $"desired state of {application}\n");
            _repos[application] = repo;
        }

        foreach (var (path, content) in files)
        {
            if (content is null)
            {
                repo.Delete("deploy/" + path);
            }
            else
            {
                repo.Write("deploy/" + path, content);
            }
        }

        await repo.CommitAndPushAsync($"{application}: {string.Join(", ", files.Select(f => f.Path))}");
    }

    /// <summary>Runs one reconcile of <paramref name="application"/> through a fresh host: real Git source, real Kubernetes target.</summary>
    public async Task<Run> ReconcileAsync(string application, Func<ApplicationDefinition, ApplicationDefinition>? configure = null)
    {
        var logs = new CapturingLoggerProvider();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Information);
        var definition = new ApplicationDefinition
        {
            Name = application,
            Source = new SourceReference { Url = _git.UrlOf(application), Ref = "main" },
            Path = "deploy",
            Namespace = Namespace,
            Interval = TimeSpan.FromHours(1),
            MinRetryDelay = TimeSpan.FromHours(1),
            MaxRetryDelay = TimeSpan.FromHours(1),

            // These scenarios are about ownership, prune guards and reserved objects, so confinement lets them declare
            // namespaces and CRDs anywhere; confinement itself is proved in ConfinementSafetyTests.
            AllowedNamespaces = ["*"],
            AllowedClusterKinds = ["Namespace", "CustomResourceDefinition.apiextensions.k8s.io"],
        };
        definition = configure?.Invoke(definition) ?? definition;
        builder.Services.AddGitOps(o => o.Applications.Add(definition))
            .AddGitSource(o => o.CacheDirectory = _temp.Combine("git-cache-" + application))
            .AddKubernetesTarget(o => o.KubeconfigPath = Api.KubeconfigPath);
        using var host = builder.Build();
        var controller = host.Services.GetRequiredService<IGitOpsController>();
        var events = new ConcurrentQueue<ReconcileEvent>();
        using var subscription = controller.Events.Subscribe(events.Enqueue);
        var result = await controller.ReconcileAsync(application, CancellationToken.None);
        Inventory? inventory;
        try
        {
            inventory = await host.Services.GetRequiredService<IInventoryStore>().GetAsync(application, CancellationToken.None);
        }
        catch (InventoryCorruptedException)
        {
            inventory = null;
        }

        return new Run(result, controller.GetStatus(application)!, [.. events], [.. logs.Entries], inventory);
    }

    public JsonObject? Get(string kind, string name, string? @namespace = Namespace, string apiVersion = "v1") =>
        Api.Get(apiVersion, kind, @namespace, name);

    public string? Data(string name, string key = "owner", string? @namespace = Namespace) =>
        (string?)Get("ConfigMap", name, @namespace)?["data"]?[key];

    public static string? Label(JsonObject? obj) => (string?)obj?["metadata"]?["labels"]?[WellKnown.ApplicationLabel];

    public static string ConfigMap(string name, string owner, string? @namespace = null, string extraMetadata = "") =>
        $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n{(@namespace is null ? string.Empty : $"  namespace: {@namespace}\n")}{extraMetadata}data:\n  owner: {owner}\n";

    public static ResourceKey ConfigMapKey(string name, string @namespace = Namespace) => new(string.Empty, "ConfigMap", @namespace, name);

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await _git.DisposeAsync();
        _temp.Dispose();
    }

    /// <summary>What one reconcile did and left behind.</summary>
    public sealed record Run(ReconcileResult Result, ApplicationStatus Status, IReadOnlyList<ReconcileEvent> Events, IReadOnlyList<LogEntry> Logs, Inventory? Inventory)
    {
        public ReconcileOutcome Outcome => Result.Outcome;

        public bool InventoryHas(ResourceKey key) => Inventory?.Entries.Any(e => e.Key == key) == true;

        public IEnumerable<LogEntry> Warnings => Logs.Where(l => l.Level == LogLevel.Warning);

        public override string ToString() => $"{Result.Outcome}: {Result.Error ?? Status.Conditions.FirstOrDefault(c => c.Type == ConditionTypes.Ready)?.Message}";
    }
}
