namespace GitOps.Sdk;

/// <summary>
/// Runs the inventory protocol (<see cref="InventoryUpdates"/>) against the store: pending before the first write,
/// completed after the apply, recorded for a run that writes nothing.
/// </summary>
internal sealed class InventoryProtocol(Func<IInventoryStore> store)
{
    /// <summary>Saves and returns the pending inventory: after this, every object the apply may create is listed.</summary>
    public async ValueTask<Inventory> BeginAsync(Inventory? previous, ApplyPlan plan, CancellationToken cancellationToken)
    {
        var pending = InventoryUpdates.Pending(previous, plan);
        await store().SaveAsync(pending, cancellationToken).ConfigureAwait(false);
        return pending;
    }

    /// <summary>Saves and returns the completed inventory. It is saved even when the run is being cancelled: the apply happened.</summary>
    public async ValueTask<Inventory> CompleteAsync(
        Inventory pending,
        Inventory? previous,
        ApplyPlan plan,
        ApplyResult result,
        DesiredState desired,
        IReadOnlyDictionary<ResourceKey, KubeObject> liveBefore)
    {
        var completed = InventoryUpdates.Completed(pending, previous, plan, result, desired, liveBefore);
        await store().SaveAsync(completed, CancellationToken.None).ConfigureAwait(false);
        return completed;
    }

    /// <summary>For a plan that writes nothing: saves the recorded inventory when it differs from what is stored.</summary>
    public async ValueTask RecordAsync(Inventory? previous, ApplyPlan plan, CancellationToken cancellationToken)
    {
        if (InventoryUpdates.Recorded(previous, plan) is { } recorded)
        {
            await store().SaveAsync(recorded, cancellationToken).ConfigureAwait(false);
        }
    }
}
