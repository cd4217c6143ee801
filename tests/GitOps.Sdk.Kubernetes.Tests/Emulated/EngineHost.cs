using GitOps.Sdk.Hosting;
using GitOps.Sdk.Kubernetes;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GitOps.Sdk.Kubernetes.Tests.Emulated;

/// <summary>
/// The real engine against a <see cref="KubeTarget"/>'s emulator: one git repository per application (made with the
/// git CLI, served by <c>git daemon</c>), and per reconcile a fresh host with the Git source and the Kubernetes target.
/// </summary>
internal sealed class EngineHost : IAsyncDisposable
{
    private readonly KubeTarget _target;
    private readonly TempDirectory _temp = new("gitops-kube-engine");
    private readonly Dictionary<string, GitTestRepository> _repos = new(StringComparer.Ordinal);
    private GitDaemonServer? _git;

    public EngineHost(KubeTarget target)
    {
        _target = target;
    }

    public async Task<EngineRun> ReconcileAsync(
        string application, IReadOnlyList<KubeObject> desired, Func<ApplicationDefinition, ApplicationDefinition>? configure, Action<KubernetesTargetOptions> target, CancellationToken cancellationToken)
    {
        _git ??= await GitDaemonServer.StartAsync(Directory.CreateDirectory(_temp.Combine("served")).FullName);
        if (!_repos.TryGetValue(application, out var repo))
        {
            repo = await GitTestRepository.CreateAsync(_temp.Combine("served"), application);
            _repos[application] = repo;
        }

        // The revision holds exactly the desired objects (JSON is YAML); a note keeps the folder when there are none.
        var folder = Path.Combine(repo.WorkTree, "deploy");
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        repo.Write("deploy/NOTES.txt", "desired state\n");
        for (var i = 0; i < desired.Count; i++)
        {
            var o = desired[i];
            repo.Write($"deploy/{i:D2}-{o.Kind.ToLowerInvariant()}-{o.Name}.yaml", o.Json.GetRawText() + "\n");
        }

        await repo.CommitAndPushAsync($"{application}: {desired.Count} object(s)");

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var definition = new ApplicationDefinition
        {
            Name = application,
            Source = new SourceReference { Url = _git.UrlOf(application), Ref = "main" },
            Path = "deploy",
            Interval = TimeSpan.FromHours(1),
            MinRetryDelay = TimeSpan.FromHours(1),
            MaxRetryDelay = TimeSpan.FromHours(1),

            // The scenarios here are about applying and pruning; confinement is proved in the end-to-end safety tests.
            AllowedNamespaces = ["*"],
            AllowedClusterKinds = ["*"],
        };
        definition = configure?.Invoke(definition) ?? definition;
        builder.Services.AddGitOps(o => o.Applications.Add(definition))
            .AddGitSource(o => o.CacheDirectory = _temp.Combine("git-cache-" + application))
            .AddKubernetesTarget(o =>
            {
                target(o);
                o.KubeconfigPath = _target.Api.KubeconfigPath;
            });
        using var host = builder.Build();
        var controller = host.Services.GetRequiredService<IGitOpsController>();
        var result = await controller.ReconcileAsync(application, cancellationToken);
        return new EngineRun(result, controller.GetStatus(application)!);
    }

    public async ValueTask DisposeAsync()
    {
        if (_git is not null)
        {
            await _git.DisposeAsync();
        }

        _temp.Dispose();
    }
}

/// <summary>What one reconcile by the real engine did.</summary>
internal sealed record EngineRun(ReconcileResult Result, ApplicationStatus Status)
{
    /// <summary>Gets the per-object outcomes of the apply stage, in plan order (empty when nothing was applied).</summary>
    public IReadOnlyList<ObjectApplyResult> Objects => Result.Apply is { } apply ? apply.Objects : [];

    public ReconcileOutcome Outcome => Result.Outcome;

    public bool Succeeded => Result.Succeeded && Result.Apply?.Succeeded != false;

    public string Describe() =>
        $"{Result.Outcome} {Result.Error} {string.Join("; ", Objects.Select(o => $"{o.Key}: {o.Outcome} {o.Message}"))} {string.Join("; ", Result.Refused.Select(r => r.Reason))}";
}
