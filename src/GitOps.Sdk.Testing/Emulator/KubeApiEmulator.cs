using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using GitOps.Sdk.Testing.Emulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Testing;

/// <summary>
/// An in-process Kubernetes API server speaking the real HTTP API (discovery, CRUD, list/watch, server-side apply
/// with managedFields, patches, defaulting, validation) closely enough for <c>KubernetesClient</c> and
/// <c>kubectl</c>; checked against recordings of a real kube-apiserver v1.24.
/// </summary>
/// <example>
/// <code>
/// await using var api = await KubeApiEmulator.StartAsync();
/// var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.KubeconfigPath));
/// await api.ApplyAsAsync("kubectl-edit", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\ndata: {a: b}");
/// </code>
/// </example>
public sealed class KubeApiEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmulatorCore _core;
    private readonly KubeApiEmulatorOptions _options;
    private readonly CancellationTokenSource _stopping;
    private readonly string? _tempDirectory;
    private readonly X509Certificate2? _certificate;
    private readonly StatePersistence? _persistence;
    private int _disposed;

    private KubeApiEmulator(WebApplication app, EmulatorCore core, KubeApiEmulatorOptions options, CancellationTokenSource stopping,
        Uri baseAddress, string kubeconfigPath, string? tempDirectory, X509Certificate2? certificate, FaultInjector faults, StatePersistence? persistence)
    {
        _persistence = persistence;
        Faults = faults;
        _app = app;
        _core = core;
        _options = options;
        _stopping = stopping;
        BaseAddress = baseAddress;
        KubeconfigPath = kubeconfigPath;
        _tempDirectory = tempDirectory;
        _certificate = certificate;
    }

    /// <summary>Gets the address the emulator listens on, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets the path of the kubeconfig written at start (cluster, user and context named <c>emulator</c>).</summary>
    public string KubeconfigPath { get; }

    /// <summary>Gets the fault rules applied to incoming HTTP requests.</summary>
    public FaultInjector Faults { get; }

    /// <summary>Gets the current (highest) resourceVersion.</summary>
    public long ResourceVersion => _core.Store.ResourceVersion;

    /// <summary>Gets the number of stored objects.</summary>
    public int ObjectCount => _core.Store.Count;

    /// <summary>Starts an emulator on 127.0.0.1.</summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop.</returns>
    public static async Task<KubeApiEmulator> StartAsync(KubeApiEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KubeApiEmulatorOptions();
        var registry = new ResourceRegistry();
        var store = new ObjectStore(options.WatchHistorySize);
        var core = new EmulatorCore(registry, store, options.TimeProvider, options.CrdEstablishDelay);
        var persistence = options.StateDirectory is null ? null : StatePersistence.Open(core, options.StateDirectory);
        if (persistence is not null)
        {
            core.Crds.Restore();
        }

        if (options.CreateDefaultNamespaces)
        {
            core.Namespaces.Bootstrap();
        }

        var certificate = options.UseTls ? EmulatorConnection.CreateCertificate() : null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        var app = builder.Build();
        var stopping = new CancellationTokenSource();
        var faults = new FaultInjector();
        var handler = new ApiHandler(core, faults, options, stopping.Token);
        app.Run(handler.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        var baseAddress = new Uri($"{(certificate is null ? "http" : "https")}://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        string? temp = null;
        var kubeconfig = options.KubeconfigPath;
        if (kubeconfig is null)
        {
            temp = Path.Combine(Path.GetTempPath(), "gitops-emulator-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(temp);
            kubeconfig = Path.Combine(temp, "kubeconfig");
        }

        var emulator = new KubeApiEmulator(app, core, options, stopping, baseAddress, Path.GetFullPath(kubeconfig), temp, certificate, faults, persistence);
        core.NamespaceTerminating += (_, ns) => emulator.OnNamespaceTerminating((string?)ns["metadata"]?["name"]);
        emulator.WriteKubeconfig(kubeconfig);
        return emulator;
    }

    /// <summary>Writes a kubeconfig pointing at this emulator (context <c>emulator</c>, namespace <c>default</c>).</summary>
    /// <param name="path">The file to write.</param>
    public void WriteKubeconfig(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        File.WriteAllText(path, EmulatorConnection.Kubeconfig(BaseAddress, _certificate));
    }

    /// <summary>Server-side applies a manifest as another field manager (an "other actor", e.g. a person with kubectl) to simulate drift.</summary>
    /// <param name="manager">The field manager name.</param>
    /// <param name="yaml">One object as YAML or JSON.</param>
    /// <param name="force">Whether to take over conflicting fields.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored object.</returns>
    public Task<JsonObject> ApplyAsAsync(string manager, string yaml, bool force = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        cancellationToken.ThrowIfCancellationRequested();
        var config = YamlJson.Parse(yaml) as JsonObject ?? throw new ArgumentException("The manifest is empty.", nameof(yaml));
        var type = TypeOf(config);
        var result = Run(() => _core.Write(new WriteRequest
        {
            Type = type,
            Kind = WriteKind.Apply,
            Namespace = type.Namespaced ? (string?)config["metadata"]?["namespace"] ?? "default" : string.Empty,
            Name = (string?)config["metadata"]?["name"],
            Body = config,
            Manager = manager,
            Force = force,
        }).Object);
        return Task.FromResult(result);
    }

    /// <summary>Creates an object as another field manager (operation Update).</summary>
    /// <param name="manifest">One object as YAML or JSON.</param>
    /// <param name="manager">The field manager name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored object.</returns>
    public Task<JsonObject> CreateAsync(string manifest, string manager = "another-actor", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        cancellationToken.ThrowIfCancellationRequested();
        var body = YamlJson.Parse(manifest) as JsonObject ?? throw new ArgumentException("The manifest is empty.", nameof(manifest));
        var type = TypeOf(body);
        var result = Run(() => _core.Write(new WriteRequest
        {
            Type = type,
            Kind = WriteKind.Create,
            Namespace = type.Namespaced ? (string?)body["metadata"]?["namespace"] ?? "default" : string.Empty,
            Body = body,
            Manager = manager,
        }).Object);
        return Task.FromResult(result);
    }

    /// <summary>Changes a stored object as another field manager (operation Update), like <c>kubectl edit</c> would.</summary>
    /// <param name="apiVersion">The object's apiVersion, e.g. <c>apps/v1</c>.</param>
    /// <param name="kind">The object's kind, e.g. <c>Deployment</c>.</param>
    /// <param name="namespace">The namespace; <see langword="null"/> for cluster-scoped objects.</param>
    /// <param name="name">The object's name.</param>
    /// <param name="mutate">Changes the object (a copy of the stored JSON) in place.</param>
    /// <param name="manager">The field manager name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored object.</returns>
    public Task<JsonObject> MutateAsync(string apiVersion, string kind, string? @namespace, string name, Action<JsonObject> mutate,
        string manager = "another-actor", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mutate);
        cancellationToken.ThrowIfCancellationRequested();
        var type = _core.Registry.FindByKind(apiVersion, kind) ?? throw new ArgumentException($"{apiVersion}/{kind} is not served.", nameof(kind));
        var result = Run(() => _core.Write(new WriteRequest
        {
            Type = type,
            Kind = WriteKind.Patch,
            Namespace = type.Namespaced ? @namespace ?? "default" : string.Empty,
            Name = name,
            Patch = (live, _) =>
            {
                mutate(live);
                return live;
            },
            Manager = manager,
        }).Object);
        return Task.FromResult(result);
    }

    /// <summary>Deletes an object as another actor (finalizers are honoured).</summary>
    /// <param name="apiVersion">The object's apiVersion.</param>
    /// <param name="kind">The object's kind.</param>
    /// <param name="namespace">The namespace; <see langword="null"/> for cluster-scoped objects.</param>
    /// <param name="name">The object's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when the object existed.</returns>
    public Task<bool> DeleteAsync(string apiVersion, string kind, string? @namespace, string name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var type = _core.Registry.FindByKind(apiVersion, kind) ?? throw new ArgumentException($"{apiVersion}/{kind} is not served.", nameof(kind));
        try
        {
            _core.Delete(type, type.Namespaced ? @namespace ?? "default" : string.Empty, name, "Background", null, null, false);
            return Task.FromResult(true);
        }
        catch (ApiException e) when (e.Code == 404)
        {
            return Task.FromResult(false);
        }
    }

    /// <summary>Reads a stored object.</summary>
    /// <param name="apiVersion">The object's apiVersion.</param>
    /// <param name="kind">The object's kind.</param>
    /// <param name="namespace">The namespace; <see langword="null"/> for cluster-scoped objects.</param>
    /// <param name="name">The object's name.</param>
    /// <returns>A copy of the object, or <see langword="null"/>.</returns>
    public JsonObject? Get(string apiVersion, string kind, string? @namespace, string name)
    {
        var type = _core.Registry.FindByKind(apiVersion, kind);
        return type is null ? null : _core.Store.Get(type.StorageKey, type.Namespaced ? @namespace ?? "default" : string.Empty, name)?.CloneNode();
    }

    /// <summary>Closes every open watch connection (the clients see the stream end and must re-watch).</summary>
    /// <returns>How many watches were closed.</returns>
    public int DropWatches() => _core.Store.DropWatches(_ => true);

    /// <summary>Forgets the watch history so that any resumption from an older resourceVersion gets 410 Gone (like an etcd compaction).</summary>
    public void CompactWatchHistory()
    {
        lock (_core.Store.Gate)
        {
            _core.Store.CompactHistoryLocked();
        }
    }

    /// <summary>Returns the URL path of an object (for tests), e.g. <c>/apis/apps/v1/namespaces/x/deployments/y</c>.</summary>
    internal string PathOf(string apiVersion, string kind, string? @namespace, string name)
    {
        var type = _core.Registry.FindByKind(apiVersion, kind) ?? throw new ArgumentException($"{apiVersion}/{kind} is not served.", nameof(kind));
        var prefix = type.Group.Length == 0 ? "/api/" + type.Version : "/apis/" + type.Group + "/" + type.Version;
        return prefix + (type.Namespaced ? "/namespaces/" + (@namespace ?? "default") : string.Empty) + "/" + type.Plural + "/" + name;
    }

    private ResourceType TypeOf(JsonObject obj)
    {
        var apiVersion = (string?)obj["apiVersion"] ?? throw new ArgumentException("apiVersion is missing.");
        var kind = (string?)obj["kind"] ?? throw new ArgumentException("kind is missing.");
        return _core.Registry.FindByKind(apiVersion, kind) ?? throw new ArgumentException($"{apiVersion}/{kind} is not served.");
    }

    private static T Run<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (ApiException e)
        {
            throw new KubeApiEmulatorException(e.Code, e.Body.ToJsonString());
        }
    }

    private void OnNamespaceTerminating(string? ns)
    {
        if (ns is null)
        {
            return;
        }

        // The namespace controller runs asynchronously, like in a real cluster.
        _ = Task.Run(async () =>
        {
            for (var attempt = 0; attempt < 600 && !_stopping.IsCancellationRequested; attempt++)
            {
                if (_core.Namespaces.FinishTermination(ns))
                {
                    return;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), _options.TimeProvider, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    /// <summary>Stops the server (saving state when a state folder is configured) and deletes the temporary kubeconfig.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _core.Crds.StopTimers();
        _persistence?.Dispose();

        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _certificate?.Dispose();
        if (_tempDirectory is not null)
        {
            try
            {
                Directory.Delete(_tempDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    /// <summary>Saves the state to the configured state folder now.</summary>
    public void SaveState()
    {
        _persistence?.Compact();
    }
}
