using System.Collections.Concurrent;
using k8s;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Kubernetes;

/// <summary>
/// The live state of a Kubernetes cluster: a list+watch cache per group/kind (and namespace) that applications
/// use, with change notifications within milliseconds of the server's. Reads of kinds not watched go to the server.
/// </summary>
/// <remarks>
/// Each watched resource is an informer: one list, then a watch from the list's resourceVersion; watches are
/// re-opened when they end, a <c>410 Gone</c> (expired resourceVersion) causes a fresh list whose differences are
/// published as changes, a resync lists again every <see cref="KubernetesTargetOptions.ResyncPeriod"/>, and a broken
/// connection reconnects with exponential backoff. Objects are cached as raw JSON bytes with a 64-bit hash and
/// parsed only when read.
/// </remarks>
/// <example>
/// <code>
/// await liveState.WatchAsync(new GroupKind("apps", "Deployment"), "apps/v1", "shop", cancellationToken);
/// using var subscription = liveState.Changes.Subscribe(change =&gt; scheduler.Trigger(change.Key));
/// </code>
/// </example>
public sealed class KubernetesLiveState : ILiveState, IAsyncDisposable
{
    private readonly KubeApiClient _client;
    private readonly KubernetesRestMapper _mapper;
    private readonly ConcurrentDictionary<(GroupKind, string), Lazy<Task<Informer>>> _informers = new();
    private readonly ChangeBroadcast<LiveChange> _changes = new();
    private readonly Lock _publishLock = new();
    private bool _disposed;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="kubernetes">The client (a <see cref="k8s.Kubernetes"/>).</param>
    /// <param name="mapper">The REST mapper.</param>
    /// <param name="options">Watch, resync and retry settings.</param>
    /// <param name="timeProvider">The clock for backoff, timeouts and resync.</param>
    /// <param name="logger">The logger.</param>
    internal KubernetesLiveState(
        IKubernetes kubernetes,
        KubernetesRestMapper mapper,
        KubernetesTargetOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<KubernetesLiveState>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(mapper);
        _client = new KubeApiClient(kubernetes, options ?? new KubernetesTargetOptions(), timeProvider, logger);
        _mapper = mapper;
    }

    /// <inheritdoc />
    public IObservable<LiveChange> Changes => _changes;

    /// <inheritdoc />
    public bool ChangesAreComplete =>
        _informers.Values.All(static lazy => !lazy.IsValueCreated || !lazy.Value.IsCompletedSuccessfully || lazy.Value.Result.Healthy);

    /// <summary>Gets the number of watched resources (informers).</summary>
    public int WatchCount => _informers.Count;

    /// <inheritdoc />
    public async ValueTask<KubeObject?> GetAsync(ResourceKey key, string apiVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apiVersion);
        if (TryGetCached(key, out var cached))
        {
            return cached;
        }

        var mapping = await _mapper.TryMapAsync(apiVersion, key.Kind, cancellationToken).ConfigureAwait(false);
        if (mapping is null)
        {
            // The kind is not served (e.g. its CRD is not installed yet): no such object can exist.
            return null;
        }

        var response = await _client.GetAsync(mapping.ObjectPath(key.Namespace, key.Name), cancellationToken).ConfigureAwait(false);
        if (response.IsNotFound)
        {
            return null;
        }

        if (!response.IsSuccess)
        {
            throw new KubernetesApiException($"reading {key} failed: {response.Describe()}", response.StatusCode, response.Status?.Reason);
        }

        return response.ReadObject();
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyDictionary<ResourceKey, KubeObject>> GetManyAsync(
        IReadOnlyCollection<(ResourceKey Key, string ApiVersion)> objects,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var result = new ConcurrentDictionary<ResourceKey, KubeObject>();
        var misses = new List<(ResourceKey Key, string ApiVersion)>();
        foreach (var item in objects)
        {
            if (TryGetCached(item.Key, out var cached))
            {
                if (cached is not null)
                {
                    result[item.Key] = cached;
                }
            }
            else
            {
                misses.Add(item);
            }
        }

        await Parallel.ForEachAsync(
            misses,
            new ParallelOptions { MaxDegreeOfParallelism = _client.Options.MaxConcurrency, CancellationToken = cancellationToken },
            async (item, ct) =>
            {
                var obj = await GetAsync(item.Key, item.ApiVersion, ct).ConfigureAwait(false);
                if (obj is not null)
                {
                    result[item.Key] = obj;
                }
            }).ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc />
    public async ValueTask WatchAsync(GroupKind groupKind, string apiVersion, string? @namespace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apiVersion);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var mapping = await _mapper.MapAsync(apiVersion, groupKind.Kind, cancellationToken).ConfigureAwait(false);
        var scope = mapping.Namespaced ? @namespace ?? string.Empty : string.Empty;
        var id = (groupKind, scope);
        var lazy = _informers.GetOrAdd(id, _ => new Lazy<Task<Informer>>(() => StartInformerAsync(mapping, scope)));
        try
        {
            await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            // Let a later call try again.
            _informers.TryRemove(new KeyValuePair<(GroupKind, string), Lazy<Task<Informer>>>(id, lazy));
            throw;
        }
    }

    /// <summary>Returns every cached object of a watched group/kind (in a namespace, or all), parsed on demand.</summary>
    /// <param name="groupKind">The group and kind.</param>
    /// <param name="namespace">The namespace, or <see langword="null"/> for all.</param>
    /// <returns>The cached objects; empty when the kind is not watched.</returns>
    public IReadOnlyList<KubeObject> List(GroupKind groupKind, string? @namespace = null)
    {
        var result = new List<KubeObject>();
        foreach (var (id, lazy) in _informers)
        {
            if (id.Item1 != groupKind || !lazy.IsValueCreated || !lazy.Value.IsCompletedSuccessfully)
            {
                continue;
            }

            foreach (var cached in lazy.Value.Result.Snapshot())
            {
                if (@namespace is null || string.Equals(cached.Namespace, @namespace, StringComparison.Ordinal))
                {
                    result.Add(cached.ToKubeObject());
                }
            }
        }

        return result;
    }

    /// <summary>Stops every watch.</summary>
    /// <returns>A task that completes when the watches have stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var lazy in _informers.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                await lazy.Value.Result.DisposeAsync().ConfigureAwait(false);
            }
        }

        _informers.Clear();
        _changes.OnCompleted();
    }

    internal Informer? FindInformer(GroupKind groupKind, string @namespace)
    {
        if (_informers.TryGetValue((groupKind, @namespace), out var lazy) && lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
        {
            return lazy.Value.Result;
        }

        if (@namespace.Length > 0 && _informers.TryGetValue((groupKind, string.Empty), out var all) && all.IsValueCreated && all.Value.IsCompletedSuccessfully)
        {
            return all.Value.Result;
        }

        return null;
    }

    private bool TryGetCached(ResourceKey key, out KubeObject? value)
    {
        value = null;
        var informer = FindInformer(key.GroupKind, key.Namespace);
        if (informer is null || !informer.Healthy)
        {
            // Not watched, or its watch is failing: the cache may be stale, so the server is asked.
            return false;
        }

        if (informer.TryGet(key.Namespace, key.Name, out var cached))
        {
            value = cached.ToKubeObject();
        }

        return true;
    }

    private async Task<Informer> StartInformerAsync(RestMapping mapping, string scope)
    {
        var informer = new Informer(_client, mapping, scope.Length == 0 ? null : scope, Publish);
        await informer.StartAsync(CancellationToken.None).ConfigureAwait(false);
        Log.WatchStarted(_client.Logger, mapping.CollectionPath(scope), informer.Count);
        return informer;
    }

    private void Publish(LiveChange change)
    {
        lock (_publishLock)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                _changes.OnNext(change);
            }
#pragma warning disable CA1031 // A failing subscriber must not break the watch that feeds every other subscriber.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.SubscriberFailed(_client.Logger, change.Key, ex);
            }
        }
    }
}
