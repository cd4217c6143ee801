using System.Collections.Immutable;

namespace GitOps.Sdk;

/// <summary>
/// Lists what a container object still holds, for the deletion guards: the objects in a Namespace, the custom
/// resources of a CustomResourceDefinition. Prune refuses to delete a container whose contents are not all being
/// pruned with it, unless the application opts in.
/// </summary>
public interface IContainerContents
{
    /// <summary>Lists the objects <paramref name="container"/> holds.</summary>
    /// <param name="container">A live Namespace or CustomResourceDefinition.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The contained objects; <see cref="ContainedObjects.Error"/> when they could not be listed (the guard then refuses).</returns>
    ValueTask<ContainedObjects> ListAsync(KubeObject container, CancellationToken cancellationToken);
}

/// <summary>What a container holds.</summary>
/// <param name="Objects">The contained objects.</param>
public sealed record ContainedObjects(ImmutableArray<ResourceKey> Objects)
{
    /// <summary>Gets why the contents could not be listed completely, or <see langword="null"/>.</summary>
    public string? Error { get; init; }
}
