using System.Collections.Concurrent;
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

/// <summary>
/// The parts a reconciler composes, resolved from the container on first use so that a missing part is reported by name.
/// The target's parts (live state, writer, inventory, reserved objects, container contents) are those of one target:
/// the default one (unkeyed services), or a named one (services keyed by its name, <see cref="ForTarget"/>).
/// </summary>
internal sealed class ReconcilerServices
{
    private readonly IServiceProvider _services;
    private readonly ReconcilerServices _root;
    private readonly ConcurrentDictionary<string, ReconcilerServices> _targets = new(StringComparer.Ordinal);
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
        _root = this;
    }

    /// <summary>A named target's view: the shared parts of <paramref name="root"/>, the target's parts keyed by <paramref name="target"/>.</summary>
    private ReconcilerServices(ReconcilerServices root, string target)
    {
        _services = root._services;
        _root = root;
        Target = target;
        Options = root.Options;
        Events = root.Events;
        Time = root.Time;
        LoggerFactory = root.LoggerFactory;
        SourceProviders = root.SourceProviders;
        Health = root.Health;
        ApprovalPolicies = root.ApprovalPolicies;
        Metrics = root.Metrics;
        ContainerContents = _services.GetKeyedService<IContainerContents>(target);
        Reserved = _services.GetKeyedService<IReservedObjects>(target);
    }

    /// <summary>Gets the name of the target these parts reach, or <see langword="null"/> for the default target.</summary>
    public string? Target { get; }

    /// <summary>Gets the parts for <paramref name="target"/> (<see langword="null"/> or empty: the default target); one view per name.</summary>
    /// <param name="target">The target's name.</param>
    /// <returns>The view.</returns>
    public ReconcilerServices ForTarget(string? target) =>
        string.IsNullOrEmpty(target) ? _root : _root._targets.GetOrAdd(target, static (name, root) => new ReconcilerServices(root, name), _root);

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

    /// <summary>Gets the target's live state when it has one (without throwing).</summary>
    public ILiveState? LiveStateOrNull => _liveState ?? Get<ILiveState>();

    public IDiffEngine DiffEngine => _diffEngine ??= Require<IDiffEngine>("services.AddGitOps() registers the default diff engine");

    public IPlanner Planner => _planner ??= Require<IPlanner>("services.AddGitOps() registers the default planner");

    /// <summary>Gets the plan executor over the target's <see cref="IResourceWriter"/>.</summary>
    public PlanExecutor Executor => _executor ??= new PlanExecutor(Writer, LoggerFactory.CreateLogger<PlanExecutor>());

    /// <summary>Gets the target's writer (the executor's, and the sync hooks').</summary>
    public IResourceWriter Writer => _writer ??= Require<IResourceWriter>("call .AddKubernetesTarget(...) on the GitOps builder, or register an IResourceWriter");

    public IInventoryStore Inventory => _inventory ??= Require<IInventoryStore>("call .AddKubernetesTarget(...) (inventory in the cluster) or register an IInventoryStore");

    /// <summary>Returns the names of the target's parts that are not registered (for a named target, keyed by its name).</summary>
    public IReadOnlyList<string> FindMissingTargetParts()
    {
        var missing = new List<string>();
        Check<ILiveState>(missing);
        Check<IResourceWriter>(missing);
        Check<IInventoryStore>(missing);
        return missing;
    }

    /// <summary>Returns the names of required parts that are not registered; the target's own only when <paramref name="includeTargetParts"/>.</summary>
    /// <param name="includeTargetParts">Whether the default target's parts count (some application uses it).</param>
    public IReadOnlyList<string> FindMissing(bool includeTargetParts = true)
    {
        var missing = new List<string>();
        Check<IRenderStage>(missing);
        Check<IDiffEngine>(missing);
        Check<IPlanner>(missing);
        if (includeTargetParts)
        {
            missing.AddRange(FindMissingTargetParts());
        }

        if (SourceProviders.Count == 0)
        {
            missing.Add("ISourceProvider (call .AddGitSource(), .AddHelmRepositorySource() or .AddOciSource())");
        }

        return missing;
    }

    private void Check<T>(List<string> missing)
        where T : class
    {
        if (Get<T>() is null)
        {
            missing.Add(typeof(T).Name);
        }
    }

    /// <summary>A part of the target: keyed by the target's name for a named target, unkeyed otherwise; shared parts are never keyed.</summary>
    private T? Get<T>()
        where T : class =>
        Target is { } name && IsTargetPart(typeof(T)) ? _services.GetKeyedService<T>(name) : _services.GetService<T>();

    private static bool IsTargetPart(Type type) =>
        type == typeof(ILiveState) || type == typeof(IResourceWriter) || type == typeof(IInventoryStore);

    private T Require<T>(string hint)
        where T : class =>
        Get<T>() ?? throw new InvalidOperationException(Target is { } name && IsTargetPart(typeof(T))
            ? $"GitOps: target '{name}' has no {typeof(T).Name}: call .AddKubernetesTarget(\"{name}\", ...) on the GitOps builder, or register a keyed {typeof(T).Name} under \"{name}\"."
            : $"GitOps: no {typeof(T).Name} is registered: {hint}.");
}
