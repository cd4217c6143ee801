using GitOps.Sdk.Status;
using System.Collections.Immutable;

namespace GitOps.Sdk.Reconciliation;

/// <summary>The live-state stage's input.</summary>
/// <param name="Desired">The desired state.</param>
internal sealed record LiveInput(DesiredState Desired);

/// <summary>
/// Reads the stored inventory, watches every managed kind (so that drift triggers a reconcile), and reads the live
/// object of every desired and inventory key.
/// </summary>
internal sealed class LiveStateStage(StageContext context, WatchRegistry watches)
{
    private static readonly GroupKind NamespaceKind = new(string.Empty, "Namespace");

    public async ValueTask<StageResult<LiveSnapshot>> RunAsync(LiveInput input, CancellationToken cancellationToken)
    {
        using var activity = context.StartActivity("gitops.live");
        var desired = input.Desired;
        Inventory? inventory;
        try
        {
            inventory = await context.Services.Inventory.GetAsync(context.Application, cancellationToken).ConfigureAwait(false);
        }
        catch (InventoryCorruptedException ex)
        {
            return StageFailure.At(
                ReconcileStage.LiveState,
                $"{ex.Message}; nothing is applied or pruned. Recovery (docs/security.md, \"Corrupted inventory\"): delete the inventory object; the next reconcile records the desired objects that carry the application's ownership mark, and objects removed from the source meanwhile are left for a person to delete");
        }

        var addresses = new Dictionary<ResourceKey, string>();
        foreach (var o in desired.Objects)
        {
            addresses[o.Key] = o.ApiVersion;
        }

        foreach (var e in inventory?.Entries ?? [])
        {
            addresses.TryAdd(e.Key, e.ApiVersion);
        }

        // A kind whose CustomResourceDefinition this revision brings may not be served yet: it is watched after the
        // apply (which waits for the CRD), and until then its objects read as absent.
        var crdKinds = CrdDefinedKinds(desired);
        var tried = new HashSet<GroupKind>();
        var deferred = ImmutableArray.CreateBuilder<(GroupKind, string)>();
        foreach (var (key, apiVersion) in addresses)
        {
            if (watches.IsWatched(key.GroupKind) || !tried.Add(key.GroupKind))
            {
                continue;
            }

            if (!crdKinds.Contains(key.GroupKind))
            {
                await watches.WatchAsync(key.GroupKind, apiVersion, cancellationToken).ConfigureAwait(false);
            }
            else if (!await watches.TryWatchAsync(key.GroupKind, apiVersion, deferred: true, cancellationToken).ConfigureAwait(false))
            {
                deferred.Add((key.GroupKind, apiVersion));
            }
        }

        // The target namespaces count as managed keys, so that a namespace appearing (someone creates it, or another
        // application does) triggers a reconcile at once instead of after the failure backoff.
        var namespaceKeys = TargetNamespaceKeys(desired);
        if (namespaceKeys.Count > 0 && !watches.IsWatched(NamespaceKind))
        {
            await watches.TryWatchAsync(NamespaceKind, "v1", deferred: false, cancellationToken).ConfigureAwait(false);
        }

        watches.SetManagedKeys([.. addresses.Keys, .. namespaceKeys]);
        var objects = await context.Services.LiveState.GetManyAsync([.. addresses.Select(static a => (a.Key, a.Value))], cancellationToken).ConfigureAwait(false);
        return new LiveSnapshot(inventory, objects, deferred.ToImmutable());
    }

    /// <summary>The kinds defined by CustomResourceDefinitions in the desired state (<c>spec.group</c>, <c>spec.names.kind</c>).</summary>
    private static HashSet<GroupKind> CrdDefinedKinds(DesiredState desired)
    {
        var kinds = new HashSet<GroupKind>();
        foreach (var o in desired.Objects)
        {
            if (Planning.Planner.DefinedKind(o) is { } kind)
            {
                kinds.Add(kind);
            }
        }

        return kinds;
    }

    private static List<ResourceKey> TargetNamespaceKeys(DesiredState desired)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var o in desired.Objects)
        {
            if (o.Key.Namespace.Length > 0)
            {
                names.Add(o.Key.Namespace);
            }
        }

        return [.. names.Order(StringComparer.Ordinal).Select(static n => new ResourceKey(string.Empty, "Namespace", string.Empty, n))];
    }
}
