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

    /// <summary>
    /// Gets who wrote the inventory beyond the application's name (<c>ApplicationDefinition.Owner</c>, e.g.
    /// <c>GitOpsApplication team-a/shop</c>), or <see langword="null"/> for an application without one (the
    /// configuration's). An application whose owner differs treats the recorded objects as another owner's: it neither
    /// prunes nor adopts them unless it may take them over.
    /// </summary>
    public string? Owner { get; init; }

    /// <summary>Gets the objects, sorted by key.</summary>
    public ImmutableArray<InventoryEntry> Entries { get; init; } = [];

    /// <summary>Sorts entries by key, the order every store keeps them in.</summary>
    /// <param name="entries">The entries.</param>
    /// <returns>The entries sorted by key.</returns>
    public static ImmutableArray<InventoryEntry> SortByKey(IEnumerable<InventoryEntry> entries)
    {
        var builder = ImmutableArray.CreateRange(entries).ToBuilder();
        builder.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        return builder.ToImmutable();
    }
}

/// <summary>One object in an inventory.</summary>
/// <param name="Key">The object.</param>
/// <param name="ApiVersion">The apiVersion it was applied with (needed to address it for delete).</param>
public sealed record InventoryEntry(ResourceKey Key, string ApiVersion)
{
    /// <summary>Gets the content hash of what was applied, when known.</summary>
    public string? AppliedHash { get; init; }
}

/// <summary>
/// Thrown by <see cref="IInventoryStore.GetAsync"/> when a stored inventory cannot be trusted (unreadable, or its
/// checksum does not match its content). The reconciler then applies and prunes nothing; see docs/security.md for the
/// recovery (delete the inventory object; the next reconcile records the desired objects that carry the mark).
/// </summary>
public sealed class InventoryCorruptedException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public InventoryCorruptedException()
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    public InventoryCorruptedException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public InventoryCorruptedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="application">The application.</param>
    /// <param name="location">Where the inventory is stored, e.g. <c>ConfigMap gitops-system/gitops-inventory-shop</c>.</param>
    /// <param name="detail">What is wrong with it.</param>
    /// <param name="innerException">The cause, when any.</param>
    public InventoryCorruptedException(string application, string location, string detail, Exception? innerException = null)
        : base($"the inventory of application '{application}' ({location}) is corrupt: {detail}", innerException)
    {
        Application = application;
        Location = location;
    }

    /// <summary>Gets the application whose inventory is corrupt.</summary>
    public string? Application { get; }

    /// <summary>Gets where the inventory is stored.</summary>
    public string? Location { get; }
}
