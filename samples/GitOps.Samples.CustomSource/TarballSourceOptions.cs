namespace GitOps.Samples.CustomSource;

/// <summary>Settings of <see cref="TarballSourceProvider"/>.</summary>
public sealed class TarballSourceOptions
{
    /// <summary>Gets or sets the folder holding downloaded, verified and extracted tarballs (one folder per sha256).
    /// <value>Default: <c>gitops-tarballs</c> under the temp folder.</value></summary>
    public string CacheDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "gitops-tarballs");

    /// <summary>Gets or sets the largest download accepted. <value>Default: 64 MiB.</value></summary>
    public long MaxDownloadBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Gets or sets how long one download may take. <value>Default: 2 minutes.</value></summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);
}
