using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;

namespace GitOps.Sdk.Reconciliation;

/// <summary>
/// State kept between runs for watch triggers: tells someone else's change to a managed object from the echo of this
/// application's own writes (the resource versions it wrote, the objects it deleted), and counts foreign changes so
/// that a run can tell whether live state moved since the last clean run.
/// </summary>
internal sealed class OwnWriteFilter
{
    private const int RememberedVersions = 4096;
    private readonly ConcurrentDictionary<string, byte> _ownResourceVersions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ResourceKey, byte> _ownDeletes = new();
    private readonly ConcurrentQueue<LiveChange> _changesDuringRun = new();
    private volatile bool _running;
    private long _foreignChanges;

    /// <summary>Gets how many foreign changes were seen so far.</summary>
    public long ForeignChanges => Interlocked.Read(ref _foreignChanges);

    /// <summary>Gets or sets a value indicating whether a run is in progress (its changes are decided after it).</summary>
    public bool Running
    {
        get => _running;
        set => _running = value;
    }

    /// <summary>
    /// Returns <see langword="true"/> when <paramref name="change"/> is someone else's change to a managed object. Changes
    /// seen while a run is in progress are queued and decided by <see cref="TakeChangesDuringRun"/>, once the resource
    /// versions the run wrote are known.
    /// </summary>
    public bool IsForeign(LiveChange change, ImmutableHashSet<ResourceKey> managed)
    {
        if (!managed.Contains(change.Key))
        {
            return false;
        }

        if (_running)
        {
            _changesDuringRun.Enqueue(change);
            return false;
        }

        return Classify(change);
    }

    /// <summary>Decides the changes queued during the last run; returns <see langword="true"/> when any was someone else's.</summary>
    public bool TakeChangesDuringRun(ImmutableHashSet<ResourceKey> managed)
    {
        var foreign = false;
        while (_changesDuringRun.TryDequeue(out var change))
        {
            foreign |= managed.Contains(change.Key) && Classify(change);
        }

        return foreign;
    }

    /// <summary>Remembers what an apply wrote and deleted, so that their watch events are not taken for drift.</summary>
    public void Remember(ApplyResult applied)
    {
        if (_ownResourceVersions.Count > RememberedVersions)
        {
            _ownResourceVersions.Clear();
        }

        _ownDeletes.Clear();
        foreach (var o in applied.Objects)
        {
            if (o.Outcome == ApplyOutcome.Deleted || (o.Outcome == ApplyOutcome.Created && o.Message is not null))
            {
                _ownDeletes.TryAdd(o.Key, 0);
            }

            if (o.Result is { } written && written.Metadata.ValueKind == JsonValueKind.Object
                && written.Metadata.TryGetProperty("resourceVersion", out var rv) && rv.ValueKind == JsonValueKind.String)
            {
                _ownResourceVersions.TryAdd(rv.GetString()!, 0);
            }
        }
    }

    private bool Classify(LiveChange change)
    {
        var own = change.Type == LiveChangeType.Deleted
            ? _ownDeletes.ContainsKey(change.Key)
            : change.ResourceVersion is { } rv && _ownResourceVersions.ContainsKey(rv);
        if (own)
        {
            return false;
        }

        Interlocked.Increment(ref _foreignChanges);
        return true;
    }
}
