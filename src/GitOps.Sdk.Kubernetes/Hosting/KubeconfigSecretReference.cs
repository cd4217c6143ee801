namespace GitOps.Sdk.Kubernetes;

/// <summary>
/// A kubeconfig kept in a Secret of the management cluster (the default target), for a named target
/// (<see cref="KubernetesTargetOptions.KubeconfigSecret"/>): the way Flux's <c>kubeConfig.secretRef</c> reaches a remote
/// cluster. The Secret is read before the target's first request and again once <see cref="RefreshInterval"/> has passed,
/// so rotated credentials (or a moved API server) are picked up without restarting the host. Its content never
/// appears in logs, exceptions or events.
/// </summary>
public sealed class KubeconfigSecretReference
{
    /// <summary>Gets or sets the Secret's namespace in the management cluster.</summary>
    public string Namespace { get; set; } = string.Empty;

    /// <summary>Gets or sets the Secret's name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets the data key holding the kubeconfig. <value>Default: <c>value</c> (as Flux's secretRef).</value></summary>
    public string Key { get; set; } = "value";

    /// <summary>Gets or sets how long a read of the Secret is used before it is read again. <value>Default: 30 seconds.</value></summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc/>
    public override string ToString() => $"Secret {Namespace}/{Name} key {Key}";
}
