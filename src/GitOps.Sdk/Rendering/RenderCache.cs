namespace GitOps.Sdk.Rendering;

/// <summary>What identifies one render: the content, where in it, by what, and how.</summary>
/// <param name="Digest">The artifact digest.</param>
/// <param name="Path">The path inside the artifact.</param>
/// <param name="Renderer">The renderer name.</param>
/// <param name="OptionsHash">The hash of every render option that can change the output.</param>
internal readonly record struct RenderCacheKey(string Digest, string Path, string Renderer, string OptionsHash);

/// <summary>A size-bounded least-recently-used cache of successful render results. Thread-safe.</summary>
internal sealed class RenderCache
{
    private readonly int _capacity;
    private readonly Dictionary<RenderCacheKey, LinkedListNode<(RenderCacheKey Key, RenderResult Value)>> _map = [];
    private readonly LinkedList<(RenderCacheKey Key, RenderResult Value)> _order = new();
    private readonly Lock _lock = new();

    public RenderCache(int capacity) => _capacity = Math.Max(0, capacity);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _map.Count;
            }
        }
    }

    public bool TryGet(RenderCacheKey key, out RenderResult result)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                result = node.Value.Value;
                return true;
            }
        }

        result = null!;
        return false;
    }

    public void Set(RenderCacheKey key, RenderResult value)
    {
        if (_capacity == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (_map.TryGetValue(key, out var existing))
            {
                _order.Remove(existing);
                _map.Remove(key);
            }

            var node = _order.AddFirst((key, value));
            _map[key] = node;
            while (_map.Count > _capacity)
            {
                var last = _order.Last!;
                _order.RemoveLast();
                _map.Remove(last.Value.Key);
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _map.Clear();
            _order.Clear();
        }
    }
}
