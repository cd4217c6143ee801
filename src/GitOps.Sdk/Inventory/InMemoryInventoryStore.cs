using System.Collections.Concurrent;

namespace GitOps.Sdk;

/// <summary>
/// An <see cref="IInventoryStore"/> that keeps inventories in process memory: for tests, for hosts that keep no
/// state between runs, and as a cache in front of a durable store. Thread-safe.
/// </summary>
public sealed class InMemoryInventoryStore : IInventoryStore
{
    private readonly ConcurrentDictionary<string, Inventory> _inventories = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public ValueTask<Inventory?> GetAsync(string application, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_inventories.TryGetValue(application, out var inventory) ? inventory : null);
    }

    /// <inheritdoc />
    public ValueTask SaveAsync(Inventory inventory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inventory);
        cancellationToken.ThrowIfCancellationRequested();
        _inventories[inventory.Application] = inventory with { Entries = InventoryUpdates.Sort(inventory.Entries) };
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DeleteAsync(string application, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        cancellationToken.ThrowIfCancellationRequested();
        _inventories.TryRemove(application, out _);
        return ValueTask.CompletedTask;
    }
}
