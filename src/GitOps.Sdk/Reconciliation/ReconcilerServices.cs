using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Events;
using GitOps.Sdk.Execution;
using GitOps.Sdk.Health;
using GitOps.Sdk.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Reconciliation;

/// <summary>The parts a reconciler composes, resolved from the container on first use so that a missing part is reported by name.</summary>
internal sealed class ReconcilerServices
{
    private readonly IServiceProvider _services;
    private IRenderStage? _renderStage;
    private ILiveState? _liveState;
    private IDiffEngine? _diffEngine;
    private IPlanner? _planner;
    private PlanExecutor? _executor;
    private IResourceWriter? _writer;
    private IInventoryStore? _inventory;

    public ReconcilerServices(IServiceProvider services, IOptions<GitOpsOptions> options, GitOpsEventHub events, TimeProvider? timeProvider = null)
    {
        _services = services;
        Options = options.Value;
        Events = events;
        Time = timeProvider ?? services.GetService<TimeProvider>() ?? TimeProvider.System;
        LoggerFactory = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        SourceProviders = [.. services.GetServices<ISourceProvider>()];
        Health = new HealthAggregator(services.GetServices<IHealthAssessor>());
        ApprovalPolicies = [.. services.GetServices<IApprovalPolicy>()];
        ContainerContents = services.GetService<IContainerContents>();
        Reserved = services.GetService<IReservedObjects>();
        Metrics = new EngineMetrics(services.GetService<GitOpsTelemetry>() ?? GitOpsTelemetry.Shared);
    }

    /// <summary>Gets the engine's instruments, on the meter of the registered <see cref="GitOpsTelemetry"/>.</summary>
    public EngineMetrics Metrics { get; }

    /// <summary>Gets the engine's own objects, which no application may declare or prune, when the target reserves any.</summary>
    public IReservedObjects? Reserved { get; }

    /// <summary>Gets what lists a container's contents for the prune guards; without one, guarded prunes are refused.</summary>
    public IContainerContents? ContainerContents { get; }

    public GitOpsOptions Options { get; }

    /// <summary>Gets the kinds the render stage treats as cluster-scoped beyond the built-in ones (for confinement).</summary>
    public IEnumerable<string> ExtraClusterScopedKinds =>
        _services.GetService<IOptions<Rendering.RenderStageOptions>>()?.Value.ClusterScopedKinds ?? [];

    public GitOpsEventHub Events { get; }

    public TimeProvider Time { get; }

    public ILoggerFactory LoggerFactory { get; }

    public IReadOnlyList<ISourceProvider> SourceProviders { get; }

    public HealthAggregator Health { get; }

    public IReadOnlyList<IApprovalPolicy> ApprovalPolicies { get; }

    public IRenderStage RenderStage => _renderStage ??= Require<IRenderStage>("services.AddGitOps() registers the default render stage; a host may register its own IRenderStage");

    public ILiveState LiveState => _liveState ??= Require<ILiveState>("call .AddKubernetesTarget(...) on the GitOps builder, or register an ILiveState");

    public IDiffEngine DiffEngine => _diffEngine ??= Require<IDiffEngine>("services.AddGitOps() registers the default diff engine");

    public IPlanner Planner => _planner ??= Require<IPlanner>("services.AddGitOps() registers the default planner");

    /// <summary>Gets the plan executor over the target's <see cref="IResourceWriter"/>.</summary>
    public PlanExecutor Executor => _executor ??= new PlanExecutor(Writer, LoggerFactory.CreateLogger<PlanExecutor>());

    /// <summary>Gets the target's writer (the executor's, and the sync hooks').</summary>
    public IResourceWriter Writer => _writer ??= Require<IResourceWriter>("call .AddKubernetesTarget(...) on the GitOps builder, or register an IResourceWriter");

    public IInventoryStore Inventory => _inventory ??= Require<IInventoryStore>("call .AddKubernetesTarget(...) (inventory in the cluster) or register an IInventoryStore");

    /// <summary>Returns the names of required parts that are not registered.</summary>
    public IReadOnlyList<string> FindMissing()
    {
        var missing = new List<string>();
        Check<IRenderStage>(missing);
        Check<ILiveState>(missing);
        Check<IDiffEngine>(missing);
        Check<IPlanner>(missing);
        Check<IResourceWriter>(missing);
        Check<IInventoryStore>(missing);
        if (SourceProviders.Count == 0)
        {
            missing.Add("ISourceProvider (call .AddGitSource(), .AddHelmRepositorySource() or .AddOciSource())");
        }

        return missing;
    }

    private void Check<T>(List<string> missing)
        where T : class
    {
        if (_services.GetService<T>() is null)
        {
            missing.Add(typeof(T).Name);
        }
    }

    private T Require<T>(string hint)
        where T : class =>
        _services.GetService<T>() ?? throw new InvalidOperationException($"GitOps: no {typeof(T).Name} is registered: {hint}.");
}
