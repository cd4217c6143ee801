namespace GitOps.Sdk;

/// <summary>
/// Runs the inventory protocol (<see cref="InventoryUpdates"/>) against the store: pending before the first write,
/// completed after the apply, recorded for a run that writes nothing. Every inventory it saves names
/// <paramref name="owner"/> (the application's <see cref="Hosting.ApplicationDefinition.Owner"/>) as its writer.
/// </summary>
internal sealed class InventoryProtocol(Func<IInventoryStore> store, string? owner = null)
{
    /// <summary>Saves and returns the pending inventory: after this, every object the apply may create is listed.</summary>
    public async ValueTask<Inventory> BeginAsync(Inventory? previous, ApplyPlan plan, CancellationToken cancellationToken)
    {
        var pending = InventoryUpdates.Pending(previous, plan) with { Owner = owner };
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
        var completed = InventoryUpdates.Completed(pending, previous, plan, result, desired, liveBefore) with { Owner = owner };
        await store().SaveAsync(completed, CancellationToken.None).ConfigureAwait(false);
        return completed;
    }

    /// <summary>
    /// For a plan that writes nothing: saves the recorded inventory when it differs from what is stored (or when another
    /// owner wrote it, and this application took it over).
    /// </summary>
    public async ValueTask RecordAsync(Inventory? previous, ApplyPlan plan, CancellationToken cancellationToken)
    {
        var recorded = InventoryUpdates.Recorded(previous, plan)
            ?? (previous is not null && !string.Equals(previous.Owner, owner, StringComparison.Ordinal) ? previous : null);
        if (recorded is not null)
        {
            await store().SaveAsync(recorded with { Owner = owner }, cancellationToken).ConfigureAwait(false);
        }
    }
}
