namespace GitOps.Sdk.Kubernetes;

/// <summary>
/// The Kubernetes target's reserved objects (<see cref="IReservedObjects"/>): the inventory namespace
/// (<see cref="KubernetesTargetOptions.InventoryNamespace"/>, default <c>gitops-system</c>) and every object in it,
/// where the inventories of all applications live.
/// </summary>
internal sealed class KubernetesReservedObjects : IReservedObjects
{
    private readonly string _namespace;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The target settings (inventory namespace).</param>
    public KubernetesReservedObjects(KubernetesTargetOptions? options = null)
    {
        _namespace = (options ?? new KubernetesTargetOptions()).InventoryNamespace;
    }

    /// <inheritdoc />
    public string? WhyReserved(ResourceKey key)
    {
        if (key.Group.Length == 0 && key.Kind == "Namespace" && string.Equals(key.Name, _namespace, StringComparison.Ordinal))
        {
            return $"namespace {_namespace} holds the inventories of every application; only the engine manages it";
        }

        if (string.Equals(key.Namespace, _namespace, StringComparison.Ordinal))
        {
            return $"objects in namespace {_namespace} (the inventories of every application) are managed only by the engine";
        }

        return null;
    }
}
