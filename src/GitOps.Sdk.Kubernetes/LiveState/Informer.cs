using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;

namespace GitOps.Sdk.Kubernetes;

/// <summary>
/// A list+watch cache of one resource (in one namespace or all): lists, then watches from the list's
/// resourceVersion; re-watches when a watch ends, re-lists on <c>410 Gone</c>, after a broken watch and every resync period, and
/// reconnects with exponential backoff when the connection breaks. Objects are kept as their raw UTF-8 JSON with a
/// 64-bit content hash, not as parsed trees.
/// </summary>
internal sealed class Informer : IAsyncDisposable
{
    private readonly KubeApiClient _client;
    private readonly Action<LiveChange> _publish;
    private readonly ConcurrentDictionary<(string Namespace, string Name), CachedObject> _store = new();
    private readonly CancellationTokenSource _stop = new();
    private string _resourceVersion = string.Empty;
    private string _lastFailure = string.Empty;
    private DateTimeOffset _lastList;
    private Task? _loop;
    private int _failing;

    public Informer(KubeApiClient client, RestMapping mapping, string? @namespace, Action<LiveChange> publish)
    {
        _client = client;
        Mapping = mapping;
        Namespace = mapping.Namespaced ? @namespace : null;
        _publish = publish;
    }

    public RestMapping Mapping { get; }

    public string? Namespace { get; }

    public bool Synced { get; private set; }

    /// <summary>Gets a value indicating whether the cache is current: listed, and its watch not failing since (set again by a successful list).</summary>
    public bool Healthy => Synced && Volatile.Read(ref _failing) == 0;

    /// <summary>Gets how many lists this cache made (the first and every re-list); for tests and metrics.</summary>
    public int ListCount { get; private set; }

    public int Count => _store.Count;

    /// <summary>Lists once (throws when that fails), then keeps the cache current in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await ListAsync(publishChanges: false, cancellationToken).ConfigureAwait(false);
        Synced = true;
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
    }

    public bool TryGet(string @namespace, string name, out CachedObject cached) =>
        _store.TryGetValue((Mapping.Namespaced ? @namespace : string.Empty, name), out cached!);

    public IEnumerable<CachedObject> Snapshot() => _store.Values;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var failures = 0;
        var needList = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (needList)
                {
                    await ListAsync(publishChanges: true, stop).ConfigureAwait(false);
                    needList = false;

                    // Listed again: the cache holds the server's state and the next watch continues from it.
                    Volatile.Write(ref _failing, 0);
                }

                var outcome = await WatchAsync(stop).ConfigureAwait(false);
                switch (outcome)
                {
                    case WatchOutcome.Gone:
                        Log.WatchExpired(_client.Logger, Describe(), _resourceVersion);
                        needList = true;
                        break;
                    case WatchOutcome.Failed:
                        // Events may have been missed while the watch was broken (and while it keeps breaking, nothing
                        // arrives at all): list again before the next watch so the cache catches up and publishes them.
                        Volatile.Write(ref _failing, 1);
                        failures++;
                        needList = true;
                        Log.WatchFailed(_client.Logger, Describe(), _lastFailure, failures);
                        await BackoffAsync(failures, stop).ConfigureAwait(false);
                        break;
                    default:
                        failures = 0;
                        break;
                }

                if (!needList && _client.Time.GetUtcNow() - _lastList >= _client.Options.ResyncPeriod)
                {
                    needList = true;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // A watch loop must survive any failure of one connection; it logs and reconnects.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Volatile.Write(ref _failing, 1);
                failures++;
                needList = true;
                Log.WatchFailed(_client.Logger, Describe(), ex.Message.Length > 200 ? ex.Message[..200] + "…" : ex.Message, failures);
                try
                {
                    await BackoffAsync(failures, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private Task BackoffAsync(int failures, CancellationToken stop)
    {
        var baseMs = _client.Options.WatchReconnectBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16));
        var delay = TimeSpan.FromMilliseconds(Math.Min(baseMs, _client.Options.MaxRetryDelay.TotalMilliseconds));
        return Task.Delay(delay, _client.Time, stop);
    }

    private string Describe() => Namespace is null ? Mapping.CollectionPath(null) : $"{Mapping.CollectionPath(Namespace)}";

    private async Task ListAsync(bool publishChanges, CancellationToken cancellationToken)
    {
        var fresh = new Dictionary<(string, string), CachedObject>();
        string? continueToken = null;
        string resourceVersion;
        do
        {
            var path = $"{Mapping.CollectionPath(Namespace)}?limit={_client.Options.ListPageSize}";
            if (continueToken is not null)
            {
                path += "&continue=" + Uri.EscapeDataString(continueToken);
            }

            var response = await _client.GetAsync(path, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccess)
            {
                throw new KubernetesApiException($"list of {Describe()} failed: {response.Describe()}", response.StatusCode, response.Status?.Reason);
            }

            using var doc = JsonDocument.Parse(response.Body);
            var root = doc.RootElement;
            resourceVersion = string.Empty;
            continueToken = null;
            if (root.TryGetProperty("metadata", out var meta))
            {
                resourceVersion = ReadString(meta, "resourceVersion") ?? string.Empty;
                var c = ReadString(meta, "continue");
                continueToken = string.IsNullOrEmpty(c) ? null : c;
            }

            if (root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    var cached = CachedObject.FromElement(item, Mapping);
                    fresh[(cached.Namespace, cached.Name)] = cached;
                }
            }
        }
        while (continueToken is not null);

        var changes = new List<LiveChange>();
        foreach (var (id, cached) in fresh)
        {
            if (!_store.TryGetValue(id, out var old))
            {
                changes.Add(new LiveChange(cached.Key, LiveChangeType.Added, cached.ResourceVersion));
            }
            else if (old.Hash != cached.Hash || !string.Equals(old.ResourceVersion, cached.ResourceVersion, StringComparison.Ordinal))
            {
                changes.Add(new LiveChange(cached.Key, LiveChangeType.Modified, cached.ResourceVersion));
            }

            _store[id] = cached;
        }

        foreach (var (id, old) in _store)
        {
            if (!fresh.ContainsKey(id) && _store.TryRemove(id, out _))
            {
                changes.Add(new LiveChange(old.Key, LiveChangeType.Deleted, resourceVersion));
            }
        }

        _resourceVersion = resourceVersion;
        _lastList = _client.Time.GetUtcNow();
        ListCount++;
        Log.Listed(_client.Logger, Describe(), fresh.Count, resourceVersion);
        if (publishChanges)
        {
            foreach (var change in changes)
            {
                _publish(change);
            }
        }
    }

    private async Task<WatchOutcome> WatchAsync(CancellationToken stop)
    {
        var timeout = (int)Math.Max(1, _client.Options.WatchTimeout.TotalSeconds);
        var path = $"{Mapping.CollectionPath(Namespace)}?watch=1&allowWatchBookmarks=true&timeoutSeconds={timeout}&resourceVersion={Uri.EscapeDataString(_resourceVersion)}";
        var opened = _client.Time.GetUtcNow();
        var events = 0;
        using var response = await _client.OpenStreamAsync(path, stop).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Gone)
        {
            return WatchOutcome.Gone;
        }

        if (!response.IsSuccessStatusCode)
        {
            _lastFailure = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            return WatchOutcome.Failed;
        }

        using var stream = await response.Content.ReadAsStreamAsync(stop).ConfigureAwait(false);
        await foreach (var line in JsonLines.ReadAsync(stream, stop).ConfigureAwait(false))
        {
            events++;
            if (HandleEvent(line) == WatchOutcome.Gone)
            {
                return WatchOutcome.Gone;
            }
        }

        // A server (or proxy) that closes watches at once, without a single event, must not make this loop spin.
        var quick = events == 0 && _client.Time.GetUtcNow() - opened < TimeSpan.FromSeconds(1);
        if (quick)
        {
            _lastFailure = "the watch closed at once without events";
        }

        return quick ? WatchOutcome.Failed : WatchOutcome.Ended;
    }

    private WatchOutcome HandleEvent(ReadOnlyMemory<byte> line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        var type = ReadString(root, "type");
        if (!root.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.Object)
        {
            return WatchOutcome.Ended;
        }

        switch (type)
        {
            case "ADDED":
            case "MODIFIED":
            {
                var cached = CachedObject.FromElement(obj, Mapping);
                var id = (cached.Namespace, cached.Name);
                var existed = _store.TryGetValue(id, out var old);
                _store[id] = cached;
                _resourceVersion = cached.ResourceVersion;
                if (!existed || old!.Hash != cached.Hash || old.ResourceVersion != cached.ResourceVersion)
                {
                    _publish(new LiveChange(cached.Key, existed ? LiveChangeType.Modified : LiveChangeType.Added, cached.ResourceVersion));
                }

                break;
            }

            case "DELETED":
            {
                var cached = CachedObject.FromElement(obj, Mapping);
                _store.TryRemove((cached.Namespace, cached.Name), out _);
                _resourceVersion = cached.ResourceVersion;
                _publish(new LiveChange(cached.Key, LiveChangeType.Deleted, cached.ResourceVersion));
                break;
            }

            case "BOOKMARK":
                if (obj.TryGetProperty("metadata", out var meta) && ReadString(meta, "resourceVersion") is { Length: > 0 } rv)
                {
                    _resourceVersion = rv;
                }

                break;
            case "ERROR":
                var status = KubeStatus.FromElement(obj);
                if (status is { Code: 410 } || status?.Reason == "Expired" || status?.Reason == "Gone")
                {
                    return WatchOutcome.Gone;
                }

                throw new KubernetesApiException($"watch of {Describe()} reported an error: {status?.Message}", (HttpStatusCode)(status?.Code ?? 500), status?.Reason);
        }

        return WatchOutcome.Ended;
    }

    internal static string? ReadString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private enum WatchOutcome
    {
        Ended,
        Gone,
        Failed,
    }
}
