using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using GitOps.Sdk.Kubernetes;
using GitOps.Sdk.Planning;
using GitOps.Sdk.Testing;
using k8s;
using k8s.Models;

namespace GitOps.Sdk.Kubernetes.Tests.Emulated;

/// <summary>
/// One emulated API server with the Kubernetes target wired to it over HTTP through the real KubernetesClient stack,
/// plus a second client acting as "another actor" (another field manager, kubectl-like edits).
/// </summary>
internal sealed class KubeTarget : IAsyncDisposable
{
    private KubeTarget(KubeApiEmulator api, KubernetesTargetOptions options, TimeProvider? time)
    {
        Api = api;
        Options = options;
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(api.KubeconfigPath);
        Client = new k8s.Kubernetes(config);
        Other = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.KubeconfigPath));
        Mapper = new KubernetesRestMapper(Client, options, time);
        Applier = new KubernetesApplier(Client, Mapper, options, time, ApplierLog);
        LiveState = new KubernetesLiveState(Client, Mapper, options, time, Environment.GetEnvironmentVariable("K8S_DEBUG") is null ? null : new ConsoleLogger<KubernetesLiveState>());
        Inventory = new KubernetesInventoryStore(Client, options, time);
    }

    public KubeApiEmulator Api { get; }

    /// <summary>Gets what the applier logged.</summary>
    public CapturingLogger<KubernetesApplier> ApplierLog { get; } = new();

    public KubernetesTargetOptions Options { get; }

    public k8s.Kubernetes Client { get; }

    /// <summary>Gets a separate client for changes made behind the engine's back.</summary>
    public k8s.Kubernetes Other { get; }

    public KubernetesRestMapper Mapper { get; }

    public KubernetesApplier Applier { get; }

    public KubernetesLiveState LiveState { get; }

    public KubernetesInventoryStore Inventory { get; }

    public static async Task<KubeTarget> StartAsync(Action<KubernetesTargetOptions>? configure = null, KubeApiEmulatorOptions? emulator = null, TimeProvider? time = null)
    {
        var options = new KubernetesTargetOptions
        {
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
            WatchReconnectBaseDelay = TimeSpan.FromMilliseconds(20),
            RequestTimeout = TimeSpan.FromSeconds(20),
        };
        configure?.Invoke(options);
        var api = await KubeApiEmulator.StartAsync(emulator ?? new KubeApiEmulatorOptions());
        return new KubeTarget(api, options, time);
    }

    public static KubeObject Obj(string json) => KubeObject.Parse(json);

    public static KubeObject ConfigMap(string name, string ns, string app, string data = "{\"a\":\"1\"}", string annotations = "{}") =>
        Obj($"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\",\"namespace\":\"{ns}\",\"labels\":{{\"{WellKnown.ApplicationLabel}\":\"{app}\"}},\"annotations\":{annotations}}},\"data\":{data}}}");

    public static KubeObject Namespace(string name, string app) =>
        Obj($"{{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{{\"name\":\"{name}\",\"labels\":{{\"{WellKnown.ApplicationLabel}\":\"{app}\"}}}}}}");

    public static KubeObject Deployment(string name, string ns, string app, string image = "nginx:1.27", string selectorApp = "web") =>
        Obj($$$"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","labels":{"{{{WellKnown.ApplicationLabel}}}":"{{{app}}}"} },
         "spec":{"replicas":1,"selector":{"matchLabels":{"app":"{{{selectorApp}}}"} },
                 "template":{"metadata":{"labels":{"app":"{{{selectorApp}}}"} },"spec":{"containers":[{"name":"web","image":"{{{image}}}"}]} } } }
        """);

    /// <summary>
    /// Plans like the reconciler does: reads live state, decides drift with the server-side diff (dry-run apply), then
    /// lets the <see cref="Planner"/> order and prune.
    /// </summary>
    public async Task<ApplyPlan> PlanAsync(string application, IReadOnlyList<KubeObject> desired, Inventory? previous, PlanOptions? options = null)
    {
        var keys = desired.Select(d => (d.Key, d.ApiVersion)).ToList();
        if (previous is not null)
        {
            keys.AddRange(previous.Entries.Select(e => (e.Key, e.ApiVersion)));
        }

        var live = await LiveState.GetManyAsync(keys.Distinct().ToList(), CancellationToken.None);
        var diffs = new ConcurrentDictionary<ResourceKey, ResourceDiff>();
        foreach (var d in desired)
        {
            if (!live.ContainsKey(d.Key))
            {
                continue;
            }

            var ssd = await Applier.ServerSideDiffAsync(d, new ApplyOptions(), CancellationToken.None);
            diffs[d.Key] = new ResourceDiff { Key = d.Key, Action = ssd.HasDrift ? DiffAction.Update : DiffAction.Unchanged };
        }

        return new Planner().Plan(new PlanRequest
        {
            Application = application,
            Desired = new DesiredState { Objects = [.. desired] },
            Live = live,
            Diffs = diffs,
            PreviousInventory = previous,
            Options = options ?? new PlanOptions(),
        });
    }

    /// <summary>One reconcile with the crash-safe inventory protocol; <paramref name="crashAfterApply"/> stops before the final inventory write.</summary>
    public async Task<ApplyResult> ReconcileAsync(string application, IReadOnlyList<KubeObject> desired, ApplyOptions? applyOptions = null, PlanOptions? planOptions = null, bool crashAfterApply = false)
    {
        var previous = await Inventory.GetAsync(application, CancellationToken.None);
        var state = new DesiredState { Objects = [.. desired] };
        var plan = await PlanAsync(application, desired, previous, planOptions);
        var pending = InventoryUpdates.Pending(previous, plan);
        await Inventory.SaveAsync(pending, CancellationToken.None);
        var result = await Applier.ApplyAsync(plan, applyOptions ?? new ApplyOptions(), CancellationToken.None);
        if (crashAfterApply)
        {
            return result;
        }

        var liveBefore = plan.Steps.Where(static s => s.Live is not null).ToDictionary(static s => s.Key, static s => s.Live!);
        await Inventory.SaveAsync(InventoryUpdates.Completed(pending, previous, plan, result, state, liveBefore), CancellationToken.None);
        return result;
    }

    public async Task<KubeObject?> GetAsync(ResourceKey key, string apiVersion)
    {
        // A fresh read from the server, never from a cache.
        var mapping = await Mapper.MapAsync(apiVersion, key.Kind, CancellationToken.None);
        using var response = await Client.HttpClient.GetAsync(new Uri(Client.BaseUri, mapping.ObjectPath(key.Namespace, key.Name)));
        return response.IsSuccessStatusCode ? KubeObject.Parse(await response.Content.ReadAsByteArrayAsync()) : null;
    }

    public static string ResourceVersion(KubeObject obj) => obj.Metadata.GetProperty("resourceVersion").GetString()!;

    public static string Uid(KubeObject obj) => obj.Metadata.GetProperty("uid").GetString()!;

    /// <summary>Another field manager applies a ConfigMap (server-side apply, optionally forced).</summary>
    public Task OtherApplyConfigMapAsync(string name, string ns, string dataJson, string manager = "other-manager", bool force = true)
    {
        var body = $"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"{name}\",\"namespace\":\"{ns}\"}},\"data\":{dataJson}}}";
        return Other.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(body, V1Patch.PatchType.ApplyPatch), name, ns, fieldManager: manager, force: force);
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var start = Environment.TickCount64;
        while (!condition())
        {
            if (Environment.TickCount64 - start > timeoutMs)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await LiveState.DisposeAsync();
        Client.Dispose();
        Other.Dispose();
        await Api.DisposeAsync();
    }

    public static JsonObject Node(string json) => JsonNode.Parse(json)!.AsObject();
}

internal sealed class ConsoleLogger<T> : Microsoft.Extensions.Logging.ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Console.Error.WriteLine($"[{logLevel}] {formatter(state, exception)} {exception}");
}

internal sealed class CapturingLogger<T> : Microsoft.Extensions.Logging.ILogger<T>
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

    public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Messages.Enqueue(formatter(state, exception));
}
