using System.Collections.Concurrent;
using System.Text.Json;
using k8s;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Kubernetes;

/// <summary>
/// Maps group/version/kind to the API resource that serves it (plural name, namespaced or cluster-scoped), from the
/// server's discovery documents. Each group/version is read once and cached; a kind that is not in the cache makes
/// the mapper read its group/version again (a CRD may have appeared), and <see cref="Invalidate"/> drops a group
/// after a CRD changed.
/// </summary>
/// <example>
/// <code>
/// RestMapping mapping = await mapper.MapAsync("apps/v1", "Deployment", cancellationToken);
/// // mapping.Resource == "deployments", mapping.Namespaced == true
/// </code>
/// </example>
internal sealed class KubernetesRestMapper
{
    private readonly KubeApiClient _client;
    private readonly ConcurrentDictionary<string, GroupVersionResources> _cache = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refreshLock = new(1, 1);

    /// <summary>Initializes a new instance.</summary>
    /// <param name="kubernetes">The client (a <see cref="k8s.Kubernetes"/>).</param>
    /// <param name="options">Retry and timeout settings.</param>
    /// <param name="timeProvider">The clock for timeouts and backoff.</param>
    /// <param name="logger">The logger.</param>
    public KubernetesRestMapper(IKubernetes kubernetes, KubernetesTargetOptions? options = null, TimeProvider? timeProvider = null, ILogger<KubernetesRestMapper>? logger = null)
        : this(new KubeApiClient(kubernetes, options ?? new KubernetesTargetOptions(), timeProvider, logger))
    {
    }

    internal KubernetesRestMapper(KubeApiClient client)
    {
        _client = client;
    }

    /// <summary>Finds the resource serving <paramref name="kind"/> in <paramref name="apiVersion"/>.</summary>
    /// <param name="apiVersion">The apiVersion, e.g. <c>apps/v1</c> or <c>v1</c>.</param>
    /// <param name="kind">The kind.</param>
    /// <param name="cancellationToken">Cancels discovery.</param>
    /// <returns>The mapping.</returns>
    /// <exception cref="RestMappingException">The server does not serve the kind (e.g. its CRD is not installed).</exception>
    public async ValueTask<RestMapping> MapAsync(string apiVersion, string kind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(apiVersion);
        ArgumentNullException.ThrowIfNull(kind);
        if (_cache.TryGetValue(apiVersion, out var cached) && cached.ByKind.TryGetValue(kind, out var hit))
        {
            return hit;
        }

        // Not cached, or the kind is unknown: read this group/version again (a CRD may have appeared).
        var fresh = await RefreshAsync(apiVersion, cached, cancellationToken).ConfigureAwait(false);
        if (fresh is not null && fresh.ByKind.TryGetValue(kind, out var mapping))
        {
            return mapping;
        }

        var (group, version) = GroupKind.SplitApiVersion(apiVersion);
        var groupText = group.Length == 0 ? "the core group" : $"group {group}";
        var why = fresh is null ? $"the server does not serve {apiVersion}" : $"{apiVersion} has no such kind";
        throw new RestMappingException(
            $"no kind {kind} in {groupText} (version {version}): {why}; is its CRD installed?",
            new GroupKind(group, kind),
            version);
    }

    /// <summary>Returns the mapping, or <see langword="null"/> when the server does not serve the kind.</summary>
    /// <param name="apiVersion">The apiVersion.</param>
    /// <param name="kind">The kind.</param>
    /// <param name="cancellationToken">Cancels discovery.</param>
    /// <returns>The mapping or <see langword="null"/>.</returns>
    public async ValueTask<RestMapping?> TryMapAsync(string apiVersion, string kind, CancellationToken cancellationToken)
    {
        try
        {
            return await MapAsync(apiVersion, kind, cancellationToken).ConfigureAwait(false);
        }
        catch (RestMappingException)
        {
            return null;
        }
    }

    /// <summary>
    /// Maps a kind whose CustomResourceDefinition was just applied and is <c>Established</c>: a real API server may
    /// still answer discovery of the new group version with 404 (plain text) for a while, so discovery of the group is
    /// forgotten and read again with a short backoff (20 ms, doubling up to 1 s) until it serves the kind or
    /// <paramref name="timeout"/> passes.
    /// </summary>
    internal async ValueTask<RestMapping> MapWhenServedAsync(string apiVersion, string kind, string crdName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (group, version) = GroupKind.SplitApiVersion(apiVersion);
        var time = _client.Time;
        var deadline = time.GetUtcNow() + timeout;
        var delay = TimeSpan.FromMilliseconds(20);
        if (!(_cache.TryGetValue(apiVersion, out var cached) && cached.ByKind.ContainsKey(kind)))
        {
            Invalidate(group);
        }

        while (true)
        {
            if (await TryMapAsync(apiVersion, kind, cancellationToken).ConfigureAwait(false) is { } mapping)
            {
                return mapping;
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new RestMappingException(
                    $"no kind {kind} in {apiVersion}: the server's discovery still does not serve it {timeout.TotalSeconds:0.#} s after its CustomResourceDefinition {crdName} became Established (KubernetesTargetOptions.CrdEstablishedTimeout)",
                    new GroupKind(group, kind),
                    version);
            }

            Log.DiscoveryLagging(_client.Logger, kind, apiVersion, crdName, delay.TotalMilliseconds);
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
        }
    }

    /// <summary>Forgets what discovery said about <paramref name="group"/> (every version), or about everything.</summary>
    /// <param name="group">The group, or <see langword="null"/> for all groups.</param>
    public void Invalidate(string? group = null)
    {
        foreach (var key in _cache.Keys)
        {
            if (group is null || string.Equals(GroupKind.SplitApiVersion(key).Group, group, StringComparison.Ordinal))
            {
                _cache.TryRemove(key, out _);
            }
        }
    }

    private async Task<GroupVersionResources?> RefreshAsync(string apiVersion, GroupVersionResources? seen, CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have refreshed while this one waited.
            if (_cache.TryGetValue(apiVersion, out var current) && !ReferenceEquals(current, seen))
            {
                return current;
            }

            var (group, version) = GroupKind.SplitApiVersion(apiVersion);
            var path = group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";
            var response = await _client.GetAsync(path, cancellationToken).ConfigureAwait(false);
            if (response.IsNotFound)
            {
                _cache.TryRemove(apiVersion, out _);
                return null;
            }

            if (!response.IsSuccess)
            {
                // Not "the kind is not served": the server did not answer. A caller must not read that as "no such
                // object" (a live read would report every object missing), so this is an API failure, not a mapping one.
                throw new KubernetesApiException($"discovery of {apiVersion} failed: {response.Describe()}", response.StatusCode, response.Status?.Reason);
            }

            var resources = Parse(group, version, response.Body);
            _cache[apiVersion] = resources;
            Log.DiscoveryRead(_client.Logger, apiVersion, resources.ByKind.Count);
            return resources;
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    private static GroupVersionResources Parse(string group, string version, byte[] body)
    {
        var byKind = new Dictionary<string, RestMapping>(StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(body);
        if (doc.RootElement.TryGetProperty("resources", out var resources) && resources.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in resources.EnumerateArray())
            {
                var name = r.TryGetProperty("name", out var n) ? n.GetString() : null;
                var kind = r.TryGetProperty("kind", out var k) ? k.GetString() : null;
                if (name is null || kind is null || name.Contains('/', StringComparison.Ordinal))
                {
                    // Subresources (deployments/scale, pods/status) are not addressable kinds.
                    continue;
                }

                var namespaced = r.TryGetProperty("namespaced", out var ns) && ns.ValueKind == JsonValueKind.True;
                byKind.TryAdd(kind, new RestMapping(group, version, kind, name, namespaced));
            }
        }

        return new GroupVersionResources(byKind);
    }

    private sealed record GroupVersionResources(Dictionary<string, RestMapping> ByKind);
}

/// <summary>Where a kind is served: the API resource for a group/version/kind.</summary>
/// <param name="Group">The API group (empty for core).</param>
/// <param name="Version">The version.</param>
/// <param name="Kind">The kind.</param>
/// <param name="Resource">The plural resource name, e.g. <c>deployments</c>.</param>
/// <param name="Namespaced">Whether objects of the kind live in namespaces.</param>
internal sealed record RestMapping(string Group, string Version, string Kind, string Resource, bool Namespaced)
{
    /// <summary>Gets the apiVersion (<c>group/version</c>, or the version for the core group).</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>Returns the collection path (no leading slash), e.g. <c>apis/apps/v1/namespaces/shop/deployments</c>.</summary>
    /// <param name="namespace">The namespace; ignored for cluster-scoped kinds; <see langword="null"/> or empty for all namespaces.</param>
    /// <returns>The path.</returns>
    public string CollectionPath(string? @namespace)
    {
        var root = Group.Length == 0 ? $"api/{Version}" : $"apis/{Group}/{Version}";
        return Namespaced && !string.IsNullOrEmpty(@namespace)
            ? $"{root}/namespaces/{Uri.EscapeDataString(@namespace)}/{Resource}"
            : $"{root}/{Resource}";
    }

    /// <summary>Returns the object path (no leading slash).</summary>
    /// <param name="namespace">The namespace (ignored for cluster-scoped kinds).</param>
    /// <param name="name">The object name.</param>
    /// <returns>The path.</returns>
    public string ObjectPath(string? @namespace, string name) => $"{CollectionPath(@namespace)}/{Uri.EscapeDataString(name)}";
}

/// <summary>The server does not serve a kind: its API group or CRD is missing.</summary>
internal sealed class RestMappingException : TargetException
{
    /// <summary>Initializes a new instance.</summary>
    public RestMappingException()
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public RestMappingException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RestMappingException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="groupKind">The group and kind that was asked for.</param>
    /// <param name="version">The version that was asked for.</param>
    public RestMappingException(string message, GroupKind groupKind, string version)
        : base(message)
    {
        GroupKind = groupKind;
        Version = version;
    }

    /// <summary>Gets the group and kind that was asked for.</summary>
    public GroupKind GroupKind { get; }

    /// <summary>Gets the version that was asked for.</summary>
    public string? Version { get; }
}
