using System.Collections.Concurrent;
using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Testing.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace GitOps.Sdk.Tests.Reconciliation;

/// <summary>The engine wired to in-memory parts and a fake clock.</summary>
internal sealed class PipelineHarness : IAsyncDisposable
{
    public const string Url = "memory://shop";

    private readonly IDisposable _subscription;
    private bool _ownsCluster = true;

    private PipelineHarness(ServiceProvider provider, InMemorySourceProvider source, InMemoryCluster cluster, InMemoryApplier applier, FakeTimeProvider time)
    {
        Provider = provider;
        Source = source;
        Cluster = cluster;
        Applier = applier;
        Time = time;
        Controller = provider.GetRequiredService<IGitOpsController>();
        _subscription = Controller.Events.Subscribe(Events.Enqueue);
    }

    public ServiceProvider Provider { get; }

    public InMemorySourceProvider Source { get; }

    public InMemoryCluster Cluster { get; }

    public InMemoryApplier Applier { get; }

    public FakeTimeProvider Time { get; }

    public IGitOpsController Controller { get; }

    public ConcurrentQueue<ReconcileEvent> Events { get; } = new();

    public IInventoryStore Inventory => Provider.GetRequiredService<IInventoryStore>();

    public static PipelineHarness Create(
        Func<ApplicationDefinition, ApplicationDefinition>? app = null,
        Action<GitOpsOptions>? options = null,
        Action<IGitOpsBuilder>? builder = null,
        int applications = 1,
        Action<IServiceCollection>? services = null,
        PipelineHarness? sharingClusterWith = null)
    {
        var time = sharingClusterWith?.Time ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero));
        var source = new InMemorySourceProvider();
        var cluster = sharingClusterWith?.Cluster ?? new InMemoryCluster(time);
        var applier = new InMemoryApplier(cluster);
        var collection = new ServiceCollection();
        collection.AddSingleton<TimeProvider>(time);
        collection.AddSingleton<ILiveState>(cluster);
        collection.AddSingleton<IApplier>(applier);
        if (sharingClusterWith is not null)
        {
            collection.AddSingleton(sharingClusterWith.Inventory);
        }
        else
        {
            collection.AddSingleton<IInventoryStore, InMemoryInventoryStore>();
        }
        var gitops = collection.AddGitOps(o =>
        {
            o.JitterFraction = 0;
            o.DriftDebounce = TimeSpan.FromMilliseconds(200);
            for (var i = 0; i < applications; i++)
            {
                var definition = new ApplicationDefinition
                {
                    Name = i == 0 ? "shop" : $"shop{i}",
                    Source = new SourceReference { Url = i == 0 ? Url : $"{Url}{i}", Ref = "main" },
                    Namespace = "shop",
                    Interval = TimeSpan.FromMinutes(5),
                };
                o.Applications.Add(app?.Invoke(definition) ?? definition);
            }

            options?.Invoke(o);
        }).AddSourceProvider(source);
        builder?.Invoke(gitops);
        services?.Invoke(collection);
        return new PipelineHarness(collection.BuildServiceProvider(), source, cluster, applier, time) { _ownsCluster = sharingClusterWith is null };
    }

    public static IReadOnlyDictionary<string, string> Files(params (string Path, string Content)[] files) =>
        files.ToDictionary(static f => f.Path, static f => f.Content);

    public static string ConfigMap(string name, string value) => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: {name}
        data:
          greeting: {value}
        """;

    public static ResourceKey ConfigMapKey(string name) => new(string.Empty, "ConfigMap", "shop", name);

    public string Commit(params (string Path, string Content)[] files) => Source.Commit(Url, Files(files));

    public IReadOnlyList<T> EventsOf<T>()
        where T : ReconcileEvent => [.. Events.OfType<T>()];

    public string? Value(string configMap) =>
        Cluster.Find(ConfigMapKey(configMap)) is { } cm ? cm.Json.GetProperty("data").GetProperty("greeting").GetString() : null;

    public IHostedService HostedService => Provider.GetServices<IHostedService>().Single();

    /// <summary>Waits (real time, bounded) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string because)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting until {because}");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Advances the fake clock in steps until <paramref name="condition"/> holds (giving the scheduler a moment between steps).</summary>
    public async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan step, TimeSpan limit, string because)
    {
        var advanced = TimeSpan.Zero;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (advanced > limit || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"after advancing {advanced}: still not {because}");
            }

            await Task.Delay(5);
            if (condition())
            {
                return;
            }

            Time.Advance(step);
            advanced += step;
        }
    }

    /// <summary>Gets the scheduler's view of an application (its current wait).</summary>
    public ApplicationRuntime RuntimeOf(string application = "shop") =>
        ((GitOpsController)Controller).Runtimes.Single(a => a.Name == application);

    /// <summary>Tells whether something ended the wait (timer fired or a trigger was signalled since it began).</summary>
    public bool IsWoken(SchedulerWait wait, string application = "shop") => RuntimeOf(application).IsWoken(wait);

    /// <summary>Gets how many reconciles wait for a slot of the concurrency limit.</summary>
    public int SlotWaiters => ((GitOpsController)Controller).SlotWaiters;

    /// <summary>
    /// Waits (real time, bounded) until the application's scheduler loop is blocked — on its triggers and/or the clock —
    /// in a wait numbered above <paramref name="after"/> that nothing has woken yet, and returns that wait.
    /// </summary>
    public async Task<SchedulerWait> WaitForIdleAsync(string because, int after = 0, string application = "shop")
    {
        SchedulerWait? idle = null;
        await WaitUntilAsync(
            () => (idle = RuntimeOf(application).CurrentWait) is { } w && !RuntimeOf(application).IsWoken(w) && w.Sequence > after,
            because);
        return idle!;
    }

    /// <summary>
    /// Until <paramref name="condition"/> holds: whenever the scheduler loop is blocked on the fake clock, advances the
    /// clock exactly to that wait's deadline (once per wait). The clock never moves while the loop runs.
    /// </summary>
    public async Task AdvanceUntilAsync(Func<bool> condition, string because, string application = "shop")
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var advancedWait = 0;
        while (!condition())
        {
            if (RuntimeOf(application).CurrentWait is { Until: { } until } w && !RuntimeOf(application).IsWoken(w) && w.Sequence != advancedWait)
            {
                advancedWait = w.Sequence;
                var remaining = until - Time.GetUtcNow();
                Time.Advance(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
                continue;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out advancing the clock until {because}");
            }

            await Task.Delay(5);
        }
    }

    public int Completed => Events.OfType<ReconcileCompleted>().Count();

    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        await Provider.DisposeAsync();
        if (_ownsCluster)
        {
            Cluster.Dispose();
        }

        Source.Dispose();
    }
}
