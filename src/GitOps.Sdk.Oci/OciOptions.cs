using System.ComponentModel.DataAnnotations;

namespace GitOps.Sdk.Oci;

/// <summary>Settings of the OCI distribution client and the OCI source provider.</summary>
public sealed class OciOptions
{
    /// <summary>
    /// Gets the registries (<c>host</c> or <c>host:port</c>) that are spoken to over plain HTTP. Everything else uses HTTPS;
    /// plain HTTP is never chosen automatically, not even for <c>localhost</c>.
    /// </summary>
    public IList<string> PlainHttpRegistries { get; } = [];

    /// <summary>Gets or sets the folder holding extracted artifacts, keyed by manifest digest. <value>Default: <c>$TMP/gitops-sdk/oci</c>.</value></summary>
    public string CacheDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "gitops-sdk", "oci");

    /// <summary>Gets or sets the largest manifest accepted, in bytes. <value>Default: 4 MiB (the distribution spec's recommended limit).</value></summary>
    [Range(1024, int.MaxValue)]
    public int MaxManifestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Gets or sets the largest layer downloaded, in bytes. <value>Default: 256 MiB.</value></summary>
    [Range(1, long.MaxValue)]
    public long MaxLayerBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Gets or sets the limits applied when extracting a layer. <value>Default: <see cref="ArchiveLimits.Default"/>.</value></summary>
    [Required]
    public ArchiveLimits ArchiveLimits { get; set; } = ArchiveLimits.Default;

    /// <summary>Gets or sets the page size asked for when listing tags (<c>n</c>). <value>Default: 1000.</value></summary>
    [Range(1, 100_000)]
    public int TagPageSize { get; set; } = 1000;

    /// <summary>Gets or sets the timeout of one HTTP request. <value>Default: 60 seconds.</value></summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Returns whether <paramref name="registry"/> is configured for plain HTTP.</summary>
    /// <param name="registry">The registry host, with port when not the default.</param>
    /// <returns><see langword="true"/> when listed in <see cref="PlainHttpRegistries"/>.</returns>
    public bool IsPlainHttp(string registry) =>
        PlainHttpRegistries.Any(r => string.Equals(r.Trim(), registry, StringComparison.OrdinalIgnoreCase));
}
