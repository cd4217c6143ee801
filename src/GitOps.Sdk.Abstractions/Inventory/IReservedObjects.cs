namespace GitOps.Sdk;

/// <summary>
/// The engine's own objects (for the Kubernetes target: the inventory namespace, everything in it, and the inventory
/// objects), which no application may declare, modify or prune. A revision that declares one is refused as a whole
/// at plan time; a prune of one is refused.
/// </summary>
public interface IReservedObjects
{
    /// <summary>Returns why <paramref name="key"/> is reserved, or <see langword="null"/> when an application may manage it.</summary>
    /// <param name="key">The object.</param>
    /// <returns>The reason in words, or <see langword="null"/>.</returns>
    string? WhyReserved(ResourceKey key);
}
