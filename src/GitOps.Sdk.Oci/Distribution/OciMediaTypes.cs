namespace GitOps.Sdk.Oci.Distribution;

/// <summary>Media types of the OCI image and distribution specifications, Docker's schema 2, Helm and Flux.</summary>
public static class OciMediaTypes
{
    /// <summary>An OCI image manifest.</summary>
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";

    /// <summary>An OCI image index.</summary>
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";

    /// <summary>A Docker schema 2 manifest.</summary>
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>A Docker schema 2 manifest list.</summary>
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    /// <summary>An OCI gzip-compressed tar layer.</summary>
    public const string ImageLayerTarGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

    /// <summary>A Docker gzip-compressed tar layer.</summary>
    public const string DockerLayerTarGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /// <summary>The empty JSON config of artifacts without a config.</summary>
    public const string EmptyConfig = "application/vnd.oci.empty.v1+json";

    /// <summary>Flux's manifest bundle layer (<c>flux push artifact</c>).</summary>
    public const string FluxContent = "application/vnd.cncf.flux.content.v1.tar+gzip";

    /// <summary>Flux's artifact config.</summary>
    public const string FluxConfig = "application/vnd.cncf.flux.config.v1+json";

    /// <summary>Helm's chart config (Chart.yaml as JSON).</summary>
    public const string HelmConfig = "application/vnd.cncf.helm.config.v1+json";

    /// <summary>Helm's chart archive layer.</summary>
    public const string HelmChartContent = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

    /// <summary>The <c>Accept</c> header sent for manifests: without an OCI type, registry 2.8 answers 404 for OCI manifests.</summary>
    internal const string ManifestAccept =
        ImageManifest + ", " + ImageIndex + ", " + DockerManifest + ", " + DockerManifestList;

    /// <summary>Returns whether <paramref name="mediaType"/> is an index or a manifest list.</summary>
    /// <param name="mediaType">A media type.</param>
    /// <returns><see langword="true"/> for an index.</returns>
    public static bool IsIndex(string? mediaType) => mediaType is ImageIndex or DockerManifestList;
}
