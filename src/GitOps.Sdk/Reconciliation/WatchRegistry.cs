using System.Collections.Immutable;
using GitOps.Sdk.Diagnostics;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Reconciliation;

/// <summary>
/// State kept between runs for the live-state stage: the kinds already watched (so that drift triggers a reconcile)
/// and the keys the application manages (desired, inventory, target namespaces), which watch triggers are matched against.
/// </summary>
internal sealed class WatchRegistry(Func<ILiveState> live, string application, ILogger logger)
{
    private readonly HashSet<GroupKind> _watched = [];
    private ImmutableHashSet<ResourceKey> _managedKeys = [];

    /// <summary>Gets the keys of every object the application manages.</summary>
    public ImmutableHashSet<ResourceKey> ManagedKeys => Volatile.Read(ref _managedKeys);

    public bool IsWatched(GroupKind kind) => _watched.Contains(kind);

    public void SetManagedKeys(IEnumerable<ResourceKey> keys) => Volatile.Write(ref _managedKeys, [.. keys]);

    /// <summary>Starts a watch the run cannot do without; a failure propagates.</summary>
    public async ValueTask WatchAsync(GroupKind kind, string apiVersion, CancellationToken cancellationToken)
    {
        await live().WatchAsync(kind, apiVersion, null, cancellationToken).ConfigureAwait(false);
        _watched.Add(kind);
    }

    /// <summary>Starts a watch the run can do without (it only speeds up triggers); a failure is logged, not thrown.</summary>
    public async ValueTask<bool> TryWatchAsync(GroupKind kind, string apiVersion, bool deferred, CancellationToken cancellationToken)
    {
        try
        {
            await live().WatchAsync(kind, apiVersion, null, cancellationToken).ConfigureAwait(false);
            _watched.Add(kind);
            return true;
        }
#pragma warning disable CA1031 // The kind may not be served yet (its CRD is in this revision) or not be listable; the reconcile goes on without the watch.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            if (deferred)
            {
                Log.WatchDeferred(logger, application, kind, ex.Message);
            }
            else
            {
                Log.WatchFailed(logger, application, kind, ex.Message);
            }

            return false;
        }
    }
}
