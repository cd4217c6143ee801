using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Kubernetes;
using GitOps.Sdk.Testing;
using k8s;
using k8s.Models;

namespace GitOps.Sdk.Kubernetes.Tests.Emulated;

/// <summary>
/// One emulated API server with the Kubernetes target's pieces wired to it over HTTP through the real KubernetesClient
/// stack (for tests of those pieces), a second client acting as "another actor" (another field manager, kubectl-like
/// edits), and <see cref="ReconcileAsync"/>, which runs the real engine against the same server.
/// </summary>
internal sealed class KubeTarget : IAsyncDisposable
{
    private readonly Action<KubernetesTargetOptions> _configure;
    private EngineHost? _engine;

    private KubeTarget(KubeApiEmulator api, KubernetesTargetOptions options, TimeProvider? time, Action<KubernetesTargetOptions> configure)
    {
        _configure = configure;
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
        void Configure(KubernetesTargetOptions o)
        {
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(20);
            o.WatchReconnectBaseDelay = TimeSpan.FromMilliseconds(20);
            o.RequestTimeout = TimeSpan.FromSeconds(20);
            configure?.Invoke(o);
        }

        var options = new KubernetesTargetOptions();
        Configure(options);
        var api = await KubeApiEmulator.StartAsync(emulator ?? new KubeApiEmulatorOptions());
        return new KubeTarget(api, options, time, Configure);
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
    /// Writes <paramref name="objects"/> with the applier alone (a hand-made plan, one apply step each): setup for tests of
    /// the Kubernetes package's own pieces. Scenarios of the pipeline run through <see cref="ReconcileAsync"/>.
    /// </summary>
    public async Task<ApplyResult> ApplyAsync(params KubeObject[] objects)
    {
        var plan = new ApplyPlan { Application = "setup", Steps = [.. objects.Select(o => new PlanStep { Key = o.Key, Action = PlanAction.Apply, Desired = o })] };
        var result = await Applier.ApplyAsync(plan, new ApplyOptions { Force = true }, CancellationToken.None);
        result.Succeeded.Should().BeTrue(string.Join("; ", result.Objects.Select(o => o.Message)));
        return result;
    }

    /// <summary>
    /// One reconcile of <paramref name="application"/> by the real engine: <paramref name="desired"/> is committed to the
    /// application's repository (served by a git daemon), and a fresh host (<c>AddGitOps().AddGitSource().AddKubernetesTarget()</c>,
    /// like one <c>gitops reconcile --once</c>) reconciles it into this emulator. Runs share nothing but the cluster.
    /// </summary>
    public Task<EngineRun> ReconcileAsync(string application, IReadOnlyList<KubeObject> desired, Func<ApplicationDefinition, ApplicationDefinition>? app = null, CancellationToken cancellationToken = default) =>
        (_engine ??= new EngineHost(this)).ReconcileAsync(application, desired, app, _configure, cancellationToken);

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
        if (_engine is not null)
        {
            await _engine.DisposeAsync();
        }

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
