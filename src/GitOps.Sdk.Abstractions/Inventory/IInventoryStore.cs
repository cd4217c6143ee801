using System.Collections.Immutable;

namespace GitOps.Sdk;

/// <summary>
/// Remembers which objects an application applied, so that objects removed from desired state can be pruned safely.
/// Implementations: in the cluster (a ConfigMap or Secret per application) and in memory.
/// </summary>
public interface IInventoryStore
{
    /// <summary>Reads an application's inventory.</summary>
    /// <param name="application">The application name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The inventory, or <see langword="null"/> when the application never applied anything.</returns>
    ValueTask<Inventory?> GetAsync(string application, CancellationToken cancellationToken);

    /// <summary>Stores an application's inventory, replacing the previous one.</summary>
    /// <param name="inventory">The inventory.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the inventory is stored.</returns>
    ValueTask SaveAsync(Inventory inventory, CancellationToken cancellationToken);

    /// <summary>Removes an application's inventory.</summary>
    /// <param name="application">The application name.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <returns>A task that completes when the inventory is gone.</returns>
    ValueTask DeleteAsync(string application, CancellationToken cancellationToken);
}

/// <summary>The objects an application owns.</summary>
public sealed record Inventory
{
    /// <summary>Gets the application name.</summary>
    public required string Application { get; init; }

    /// <summary>Gets the revision last applied.</summary>
    public string? Revision { get; init; }

    /// <summary>Gets the objects, sorted by key.</summary>
    public ImmutableArray<InventoryEntry> Entries { get; init; } = [];
}

/// <summary>One object in an inventory.</summary>
/// <param name="Key">The object.</param>
/// <param name="ApiVersion">The apiVersion it was applied with (needed to address it for delete).</param>
public sealed record InventoryEntry(ResourceKey Key, string ApiVersion)
{
    /// <summary>Gets the content hash of what was applied, when known.</summary>
    public string? AppliedHash { get; init; }
}
