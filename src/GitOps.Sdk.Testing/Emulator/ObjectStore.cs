using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>
/// The in-memory store: one sorted index per resource (keys <c>namespace/name</c>), a global monotonically
/// increasing resourceVersion, a bounded event history for watch resumption and the open watchers.
/// All writes are serialized by one lock; reads take the same lock briefly.
/// </summary>
internal sealed class ObjectStore
{
    private readonly Dictionary<string, Dictionary<string, StoredObject>> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedSet<string>> _keys = new(StringComparer.Ordinal);
    private readonly WatchEvent?[] _history;
    private readonly List<Watcher> _watchers = [];
    private readonly Dictionary<string, HashSet<(string StorageKey, string Namespace, string Name)>> _dependents = new(StringComparer.Ordinal);
    private int _historyStart;
    private int _historyCount;
    private long _oldestHistoryRv;

    public ObjectStore(int historySize)
    {
        _history = new WatchEvent?[Math.Max(16, historySize)];
    }

    public object Gate { get; } = new();

    /// <summary>Gets or sets what runs after each stored change, under <see cref="Gate"/> (the durable change log).</summary>
    public Action<string, StoredObject, bool>? Changed { get; set; }

    public long ResourceVersion { get; private set; } = 1;

    public long NextResourceVersion() => ++ResourceVersion;

    public static string Key(string ns, string name) => ns + "/" + name;

    public StoredObject? Get(string storageKey, string ns, string name)
    {
        lock (Gate)
        {
            return _objects.TryGetValue(storageKey, out var map) && map.TryGetValue(Key(ns, name), out var o) ? o : null;
        }
    }

    public int Count
    {
        get
        {
            lock (Gate)
            {
                return _objects.Values.Sum(m => m.Count);
            }
        }
    }

    /// <summary>Lists objects (optionally of one namespace) in key order, starting after <paramref name="startAfter"/>.</summary>
    public (List<StoredObject> Items, long ListRv, string? NextKey) List(
        string storageKey, string? ns, Func<StoredObject, bool> filter, int limit, string? startAfter)
    {
        lock (Gate)
        {
            var items = new List<StoredObject>();
            if (!_keys.TryGetValue(storageKey, out var keys))
            {
                return (items, ResourceVersion, null);
            }

            var map = _objects[storageKey];
            var lower = ns is null ? string.Empty : ns + "/";
            var upper = ns is null ? "\uffff\uffff" : ns + "/\uffff";
            if (startAfter is not null && string.CompareOrdinal(startAfter, lower) > 0)
            {
                lower = startAfter;
            }

            if (keys.Count == 0 || string.CompareOrdinal(lower, upper) > 0)
            {
                return (items, ResourceVersion, null);
            }

            var range = keys.GetViewBetween(lower, upper).Where(k => startAfter is null || string.CompareOrdinal(k, startAfter) > 0);
            string? last = null;
            foreach (var key in range)
            {
                var o = map[key];
                if (!filter(o))
                {
                    continue;
                }

                if (limit > 0 && items.Count == limit)
                {
                    return (items, ResourceVersion, last);
                }

                items.Add(o);
                last = key;
            }

            return (items, ResourceVersion, null);
        }
    }

    public IEnumerable<StoredObject> AllOf(string storageKey)
    {
        lock (Gate)
        {
            return _objects.TryGetValue(storageKey, out var map) ? [.. map.Values] : [];
        }
    }

    public IEnumerable<string> StorageKeys
    {
        get
        {
            lock (Gate)
            {
                return [.. _objects.Keys];
            }
        }
    }

    /// <summary>Stores (adds or replaces) an object; the caller holds <see cref="Gate"/> and assigned its resourceVersion.</summary>
    public void PutLocked(string storageKey, StoredObject obj, bool created)
    {
        if (!_objects.TryGetValue(storageKey, out var map))
        {
            map = new Dictionary<string, StoredObject>(StringComparer.Ordinal);
            _objects[storageKey] = map;
            _keys[storageKey] = new SortedSet<string>(StringComparer.Ordinal);
        }

        var key = Key(obj.Namespace, obj.Name);
        if (map.TryGetValue(key, out var previous))
        {
            IndexOwners(storageKey, previous, add: false);
        }

        IndexOwners(storageKey, obj, add: true);
        map[key] = obj;
        _keys[storageKey].Add(key);
        Changed?.Invoke(storageKey, obj, false);
        Publish(new WatchEvent(created ? "ADDED" : "MODIFIED", storageKey, obj));
    }

    public void RemoveLocked(string storageKey, StoredObject finalState)
    {
        if (_objects.TryGetValue(storageKey, out var map))
        {
            var key = Key(finalState.Namespace, finalState.Name);
            if (map.TryGetValue(key, out var previous))
            {
                IndexOwners(storageKey, previous, add: false);
            }

            map.Remove(key);
            _keys[storageKey].Remove(key);
        }

        Changed?.Invoke(storageKey, finalState, true);
        Publish(new WatchEvent("DELETED", storageKey, finalState));
    }

    /// <summary>The objects whose ownerReferences name <paramref name="ownerUid"/> (for garbage collection).</summary>
    public List<(string StorageKey, string Namespace, string Name)> DependentsLocked(string ownerUid) =>
        _dependents.TryGetValue(ownerUid, out var set) ? [.. set] : [];

    private void IndexOwners(string storageKey, StoredObject obj, bool add)
    {
        if (obj.Node["metadata"]?["ownerReferences"] is not JsonArray owners)
        {
            return;
        }

        foreach (var owner in owners.OfType<JsonObject>())
        {
            var uid = (string?)owner["uid"];
            if (uid is null)
            {
                continue;
            }

            if (add)
            {
                if (!_dependents.TryGetValue(uid, out var set))
                {
                    set = [];
                    _dependents[uid] = set;
                }

                set.Add((storageKey, obj.Namespace, obj.Name));
            }
            else if (_dependents.TryGetValue(uid, out var set))
            {
                set.Remove((storageKey, obj.Namespace, obj.Name));
                if (set.Count == 0)
                {
                    _dependents.Remove(uid);
                }
            }
        }
    }

    private void Publish(WatchEvent e)
    {
        var index = (_historyStart + _historyCount) % _history.Length;
        if (_historyCount == _history.Length)
        {
            _oldestHistoryRv = _history[_historyStart]!.Object.ResourceVersion;
            _historyStart = (_historyStart + 1) % _history.Length;
            _history[index] = e;
        }
        else
        {
            _history[index] = e;
            _historyCount++;
        }

        for (var i = _watchers.Count - 1; i >= 0; i--)
        {
            var w = _watchers[i];
            if (w.StorageKey != e.StorageKey || (w.Namespace is not null && w.Namespace != e.Object.Namespace) || !w.Filter(e.Object))
            {
                continue;
            }

            if (!w.Channel.Writer.TryWrite(e))
            {
                // A watcher that cannot keep up is closed, like the API server does; the client re-lists.
                w.Overflowed = true;
                w.Channel.Writer.TryComplete();
                _watchers.RemoveAt(i);
            }
        }
    }

    /// <summary>
    /// Opens a watch. With <paramref name="fromRv"/> set, replays the history after it (or reports it expired);
    /// otherwise the current state is returned for the caller to send first.
    /// </summary>
    public (Watcher? Watcher, List<StoredObject> Initial, bool Expired, long CurrentRv) OpenWatch(
        string storageKey, string? ns, Func<StoredObject, bool> filter, long? fromRv)
    {
        lock (Gate)
        {
            var w = new Watcher { StorageKey = storageKey, Namespace = ns, Filter = filter };
            var initial = new List<StoredObject>();
            if (fromRv is long rv)
            {
                if (rv < _oldestHistoryRv)
                {
                    return (null, initial, true, ResourceVersion);
                }

                for (var i = 0; i < _historyCount; i++)
                {
                    var e = _history[(_historyStart + i) % _history.Length]!;
                    if (e.Object.ResourceVersion > rv && e.StorageKey == storageKey && (ns is null || e.Object.Namespace == ns) && filter(e.Object))
                    {
                        w.Channel.Writer.TryWrite(e);
                    }
                }
            }
            else if (_objects.TryGetValue(storageKey, out var map))
            {
                foreach (var key in _keys[storageKey])
                {
                    var o = map[key];
                    if ((ns is null || o.Namespace == ns) && filter(o))
                    {
                        initial.Add(o);
                    }
                }
            }

            _watchers.Add(w);
            return (w, initial, false, ResourceVersion);
        }
    }

    public long OldestHistoryResourceVersion
    {
        get
        {
            lock (Gate)
            {
                return _oldestHistoryRv;
            }
        }
    }

    public void CloseWatch(Watcher w)
    {
        lock (Gate)
        {
            _watchers.Remove(w);
        }

        w.Channel.Writer.TryComplete();
    }

    /// <summary>Closes every open watch of matching resources (fault injection: dropped watch connections).</summary>
    public int DropWatches(Func<Watcher, bool> match)
    {
        lock (Gate)
        {
            var dropped = _watchers.Where(match).ToList();
            foreach (var w in dropped)
            {
                _watchers.Remove(w);
                w.Channel.Writer.TryComplete();
            }

            return dropped.Count;
        }
    }

    public void CompactHistoryLocked()
    {
        if (_historyCount > 0)
        {
            _oldestHistoryRv = ResourceVersion;
            Array.Clear(_history);
            _historyStart = 0;
            _historyCount = 0;
        }
    }

    public void RestoreResourceVersion(long rv)
    {
        lock (Gate)
        {
            ResourceVersion = Math.Max(ResourceVersion, rv);
            _oldestHistoryRv = ResourceVersion;
        }
    }
}
