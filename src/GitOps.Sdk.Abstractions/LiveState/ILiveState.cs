namespace GitOps.Sdk;

/// <summary>
/// Reads live objects, usually from a list+watch cache, and notifies about changes so that drift is seen within
/// milliseconds of happening rather than on the next poll.
/// </summary>
public interface ILiveState
{
    /// <summary>Gets one live object.</summary>
    /// <param name="key">The object's key.</param>
    /// <param name="apiVersion">The apiVersion to address it with (needed to find the resource).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The object, or <see langword="null"/> when it does not exist.</returns>
    ValueTask<KubeObject?> GetAsync(ResourceKey key, string apiVersion, CancellationToken cancellationToken);

    /// <summary>Gets live objects for many keys at once.</summary>
    /// <param name="objects">The keys with the apiVersion to address each.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The objects that exist, by key.</returns>
    ValueTask<IReadOnlyDictionary<ResourceKey, KubeObject>> GetManyAsync(
        IReadOnlyCollection<(ResourceKey Key, string ApiVersion)> objects,
        CancellationToken cancellationToken);

    /// <summary>
    /// Gets the change notifications: every add, change and delete of an object of a group/kind that is being
    /// watched (see <see cref="WatchAsync"/>). Notifications carry only the key, so they are cheap to filter.
    /// </summary>
    IObservable<LiveChange> Changes { get; }

    /// <summary>Starts (or keeps) watching <paramref name="groupKind"/> in <paramref name="namespace"/> so that its changes appear in <see cref="Changes"/>.</summary>
    /// <param name="groupKind">The group and kind.</param>
    /// <param name="apiVersion">The apiVersion to watch with.</param>
    /// <param name="namespace">The namespace, or <see langword="null"/> for all namespaces and cluster-scoped kinds.</param>
    /// <param name="cancellationToken">Cancels the initial list.</param>
    /// <returns>A task that completes when the cache holds the initial list.</returns>
    ValueTask WatchAsync(GroupKind groupKind, string apiVersion, string? @namespace, CancellationToken cancellationToken);

    /// <summary>
    /// Gets a value indicating whether <see cref="Changes"/> reports every change now: each watch started with
    /// <see cref="WatchAsync"/> is connected (not failing or reconnecting). While it is <see langword="false"/> the
    /// engine does not skip an interval reconcile for want of changes, and reads are served from the server, not from a
    /// cache that may be stale — so a cluster that cannot be reached fails its reconciles instead of looking in sync.
    /// <value>Default: <see langword="true"/> (a live state without watches, or one that always reads the server).</value>
    /// </summary>
    bool ChangesAreComplete => true;
}

/// <summary>A change to a live object.</summary>
/// <param name="Key">The object.</param>
/// <param name="Type">What happened.</param>
/// <param name="ResourceVersion">The resourceVersion after the change, when known.</param>
public sealed record LiveChange(ResourceKey Key, LiveChangeType Type, string? ResourceVersion = null);

/// <summary>What happened to a live object.</summary>
public enum LiveChangeType
{
    /// <summary>The object appeared.</summary>
    Added,

    /// <summary>The object changed.</summary>
    Modified,

    /// <summary>The object was deleted.</summary>
    Deleted,
}
