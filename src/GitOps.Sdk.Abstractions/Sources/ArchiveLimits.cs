namespace GitOps.Sdk;

/// <summary>
/// Bounds for extracting an archive fetched from a source, so that a hostile or broken archive (a gzip bomb,
/// millions of tiny files, one enormous file) is refused before it fills the disk.
/// </summary>
/// <example>
/// <code>
/// var limits = ArchiveLimits.Default with { MaxTotalBytes = 20 * 1024 * 1024 };
/// await SafeArchive.ExtractTarGzAsync(stream, targetDirectory, limits, cancellationToken);
/// </code>
/// </example>
public sealed record ArchiveLimits
{
    /// <summary>Gets the defaults: 256 MiB in all, 64 MiB per file, 10 000 entries.</summary>
    public static ArchiveLimits Default { get; } = new();

    /// <summary>Gets the largest number of uncompressed bytes written in all. <value>Default: 256 MiB.</value></summary>
    public long MaxTotalBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Gets the largest size of one file. <value>Default: 64 MiB.</value></summary>
    public long MaxFileBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Gets the largest number of entries (files and directories). <value>Default: 10 000.</value></summary>
    public int MaxEntries { get; init; } = 10_000;
}
