namespace GitOps.Sdk.Rendering;

/// <summary>Settings for <see cref="RenderStage"/> and the built-in render transforms.</summary>
public sealed class RenderStageOptions
{
    /// <summary>Gets or sets the label that names the owning application on every rendered object. <value>Default: <see cref="WellKnown.ApplicationLabel"/>.</value></summary>
    public string TrackingLabel { get; set; } = WellKnown.ApplicationLabel;

    /// <summary>
    /// Gets or sets the annotation holding the tracking id <c>application:group/Kind:namespace/name</c> on every rendered
    /// object. <value>Default: <see cref="WellKnown.TrackingIdAnnotation"/>.</value>
    /// </summary>
    public string TrackingIdAnnotation { get; set; } = WellKnown.TrackingIdAnnotation;

    /// <summary>
    /// Gets or sets how many rendered results the cache keeps (least recently used are dropped first); 0 turns the cache
    /// off. <value>Default: 128.</value>
    /// </summary>
    public int CacheSize { get; set; } = 128;

    /// <summary>
    /// Gets custom kinds that are cluster-scoped, as <c>Kind.group</c> (e.g. <c>ClusterIssuer.cert-manager.io</c>) or
    /// <c>Kind</c> for the core group, in addition to the built-in Kubernetes kinds and to kinds whose
    /// CustomResourceDefinition in the same desired state declares <c>scope: Cluster</c>.
    /// </summary>
    public IList<string> ClusterScopedKinds { get; } = [];
}
