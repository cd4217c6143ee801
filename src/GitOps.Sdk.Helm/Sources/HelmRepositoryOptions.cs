using System.ComponentModel.DataAnnotations;

namespace GitOps.Sdk.Helm.Sources;

/// <summary>Settings of <see cref="HelmRepositorySourceProvider"/>.</summary>
public sealed class HelmRepositoryOptions
{
    /// <summary>Gets or sets the folder holding downloaded indexes and extracted charts (charts keyed by archive digest). <value>Default: <c>$TMP/gitops-sdk/helm</c>.</value></summary>
    [Required]
    public string CacheDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "gitops-sdk", "helm");

    /// <summary>Gets or sets the largest <c>index.yaml</c> accepted, in bytes (large public indexes run to tens of MiB). <value>Default: 128 MiB.</value></summary>
    [Range(1024, long.MaxValue)]
    public long MaxIndexBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>Gets or sets the largest chart archive downloaded, in bytes. <value>Default: 64 MiB.</value></summary>
    [Range(1, long.MaxValue)]
    public long MaxChartBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Gets or sets the limits applied when extracting a chart archive. <value>Default: <see cref="ArchiveLimits.Default"/>.</value></summary>
    [Required]
    public ArchiveLimits ArchiveLimits { get; set; } = ArchiveLimits.Default;

    /// <summary>Gets or sets the timeout of one HTTP request, body included. <value>Default: 2 minutes.</value></summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Gets or sets a value indicating whether credentials are also sent when a chart URL points to another host than the
    /// repository (Helm's <c>--pass-credentials</c>). <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool PassCredentialsToAllDomains { get; set; }

    /// <summary>Gets or sets a value indicating whether an index entry without a <c>digest</c> is refused rather than trusted on download. <value>Default: <see langword="false"/>.</value></summary>
    public bool RequireDigest { get; set; }
}
