namespace GitOps.Sdk.Kubernetes.Applications;

/// <summary>
/// Options of the <c>GitOpsApplication</c> application source (<c>AddKubernetesApplications()</c>): which namespaces it
/// watches, which of them may deploy beyond themselves, whether the engine installs the CustomResourceDefinition, and the
/// field manager of its status writes.
/// </summary>
public sealed class GitOpsApplicationSourceOptions
{
    /// <summary>
    /// Gets or sets the namespace whose <c>GitOpsApplication</c> resources are read.
    /// <value>Default: <see langword="null"/>, every namespace.</value>
    /// </summary>
    public string? Namespace { get; set; }

    /// <summary>
    /// Gets the namespaces whose resources may deploy anywhere the spec says (<c>namespace</c>, <c>allowedNamespaces</c>,
    /// <c>allowedClusterKinds</c>, <c>allowClusterAdminBindings</c>, <c>allowTakeover</c>, <c>source.credentialsName</c>).
    /// A resource in any other namespace deploys only to its own namespace and declares no cluster-scoped kind; a spec
    /// asking for more is refused, naming the field. Whoever may create a <c>GitOpsApplication</c> in a privileged
    /// namespace may deploy with all of the engine's permissions: list only namespaces the platform team alone writes to.
    /// <value>Default: empty (every resource is confined to its own namespace).</value>
    /// </summary>
    public IList<string> PrivilegedNamespaces { get; } = [];

    /// <summary>
    /// Gets or sets a value indicating whether the engine applies (server-side) the shipped CustomResourceDefinition at
    /// start and waits until it is Established (within <c>KubernetesTargetOptions.CrdEstablishedTimeout</c>); start fails
    /// when it cannot. Without it, apply <c>deploy/crds/gitopsapplications.gitops.sdk.io.yaml</c> (also in the package's
    /// <c>crds/</c> folder) yourself; until it exists, the source waits and offers no application.
    /// <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool InstallCrd { get; set; }

    /// <summary>
    /// Gets or sets the field manager of the status writes (and of the CRD installation).
    /// <value>Default: <c>gitops-sdk-applications</c>.</value>
    /// </summary>
    public string FieldManager { get; set; } = "gitops-sdk-applications";

    /// <summary>
    /// Gets or sets a value indicating whether each resource's status subresource is written.
    /// <value>Default: <see langword="true"/>.</value>
    /// </summary>
    public bool WriteStatus { get; set; } = true;
}
