using GitOps.Sdk.Shared;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using YamlDotNet.Core;

namespace GitOps.Sdk.Helm.Sources;

/// <summary>
/// Fetches charts from classic Helm chart repositories (an <c>index.yaml</c> and chart archives over HTTP).
/// </summary>
/// <remarks>
/// <para>Handles references with <see cref="SourceReference.Type"/> <see cref="SourceTypes.HelmRepository"/>:
/// <see cref="SourceReference.Url"/> is the repository URL, <see cref="SourceReference.Chart"/> the chart name and
/// <see cref="SourceReference.Ref"/> an exact version or a semver constraint (<c>^1.2</c>, <c>~1.2.3</c>,
/// <c>&gt;=1.0.0 &lt;2.0.0</c>; empty or <c>*</c> = latest stable; pre-releases only with
/// <see cref="SourceReference.IncludePrerelease"/>).</para>
/// <para>The index is re-read on every resolve with <c>If-None-Match</c>/<c>If-Modified-Since</c>, so an unchanged index
/// costs one 304. It is streamed to disk and parsed event by event for the one chart asked for. The chart archive is
/// checked against the index's <c>digest</c>, extracted with <see cref="SafeArchive"/> and cached by digest: it is
/// downloaded again only when the selected version changes.</para>
/// <para>Credentials from <see cref="ICredentialProvider"/> (basic or bearer) go to the repository's host only, unless
/// <see cref="HelmRepositoryOptions.PassCredentialsToAllDomains"/>; they are never logged.</para>
/// <para>The artifact's <see cref="SourceArtifact.Revision"/> is the chart version, <see cref="SourceArtifact.Digest"/>
/// <c>sha256:</c> of the archive, <see cref="SourceArtifact.ArtifactKind"/> <see cref="ArtifactKinds.HelmChart"/> and
/// <see cref="SourceArtifact.Path"/> the chart folder inside the extraction.</para>
/// </remarks>
/// <example>
/// <code>
/// var source = new SourceReference { Type = SourceTypes.HelmRepository, Url = "https://charts.example.com", Chart = "web", Ref = "^1.4" };
/// var artifact = await provider.FetchAsync(source, cancellationToken); // artifact.ContentDirectory holds Chart.yaml
/// </code>
/// </example>
public sealed partial class HelmRepositorySourceProvider : ISourceProvider, IDisposable
{
    private const string MarkerFile = "chart.json";
    private const string ContentFolder = "content";

    private readonly HttpClient _http;
    private readonly HelmRepositoryOptions _options;
    private readonly TimeProvider _time;
    private readonly ICredentialProvider? _credentials;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, IndexState> _indexes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _undigestedVersions = new(StringComparer.Ordinal);
    private readonly TlsClientCache _tls = new();

    /// <summary>Initializes a new instance.</summary>
    /// <param name="httpClient">The HTTP client.</param>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The clock. <value>Default: <see cref="TimeProvider.System"/>.</value></param>
    /// <param name="credentials">Supplies credentials per source; <see langword="null"/> for anonymous access.</param>
    /// <param name="logger">The logger.</param>
    public HelmRepositorySourceProvider(
        HttpClient httpClient,
        IOptions<HelmRepositoryOptions> options,
        TimeProvider? timeProvider = null,
        ICredentialProvider? credentials = null,
        ILogger<HelmRepositorySourceProvider>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        _http = httpClient;
        _options = options.Value;
        _time = timeProvider ?? TimeProvider.System;
        _credentials = credentials;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Releases the connection pools made for sources with their own TLS settings; the injected <see cref="HttpClient"/> is the caller's.</summary>
    public void Dispose() => _tls.Dispose();

    /// <inheritdoc />
    public bool CanHandle(SourceReference source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return string.Equals(source.Type, SourceTypes.HelmRepository, StringComparison.OrdinalIgnoreCase)
            && (source.Url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || source.Url.StartsWith("http://", StringComparison.OrdinalIgnoreCase));
    }

    /// <inheritdoc />
    public async ValueTask<SourceRevision> ResolveAsync(SourceReference source, CancellationToken cancellationToken)
    {
        var (entry, _, _) = await SelectAsync(source, cancellationToken).ConfigureAwait(false);
        return new SourceRevision(entry.Version, NormalizeDigest(entry.Digest) ?? entry.Version);
    }

    /// <inheritdoc />
    public async ValueTask<SourceArtifact> FetchAsync(SourceReference source, CancellationToken cancellationToken)
    {
        var (entry, repository, credentials) = await SelectAsync(source, cancellationToken).ConfigureAwait(false);
        var chart = source.Chart!;
        var printable = SafeUrl.Redact(repository);
        var indexDigest = NormalizeDigest(entry.Digest);
        if (entry.Digest is not null && indexDigest is null)
        {
            throw new SourceException($"{source}: chart {chart} {entry.Version} has an invalid digest '{entry.Digest}' in the index.") { Kind = SourceErrorKind.Integrity };
        }

        if (indexDigest is null && _options.RequireDigest)
        {
            throw new SourceException($"{source}: chart {chart} {entry.Version} has no digest in the index and digests are required.") { Kind = SourceErrorKind.Integrity };
        }

        var knownDigest = indexDigest ?? (_undigestedVersions.TryGetValue(VersionKey(repository, chart, entry), out var d) ? d : null);
        if (knownDigest is not null && TryReadCache(CacheFolder(knownDigest)) is { } hit)
        {
            Log.CacheHit(_logger, chart, entry.Version, printable);
            return ToArtifact(source, entry, knownDigest, CacheFolder(knownDigest), hit);
        }

        if (indexDigest is null)
        {
            Log.NoDigest(_logger, chart, entry.Version, printable);
        }

        var chartUri = ChartUri(source, repository, entry);
        var chartsRoot = Path.Combine(_options.CacheDirectory, "charts");
        Directory.CreateDirectory(chartsRoot);
        var staging = Path.Combine(chartsRoot, $".staging-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var archive = new FileStream(Path.Combine(staging, "chart.tgz"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
            string digest;
            ArchiveExtractionResult extracted;
            var content = Path.Combine(staging, ContentFolder);
            await using (archive.ConfigureAwait(false))
            {
                digest = await DownloadChartAsync(source, chartUri, repository, credentials, archive, cancellationToken).ConfigureAwait(false);
                if (indexDigest is not null && !string.Equals(digest, indexDigest, StringComparison.Ordinal))
                {
                    throw new SourceException($"{source}: chart {chart} {entry.Version} from {SafeUrl.Redact(chartUri.ToString())} has digest {digest}, the index says {indexDigest}; refusing it.") { Kind = SourceErrorKind.Integrity };
                }

                archive.Position = 0;
                try
                {
                    extracted = await SafeArchive.ExtractTarGzAsync(archive, content, _options.ArchiveLimits, cancellationToken).ConfigureAwait(false);
                }
                catch (SourceException ex)
                {
                    throw new SourceException($"{source}: chart {chart} {entry.Version}: {ex.Message}", ex) { Kind = ex.Kind };
                }
            }

            var entryInfo = new CacheEntry { ChartFolder = FindChartFolder(source, chart, entry.Version, content) };
            await File.WriteAllTextAsync(Path.Combine(staging, MarkerFile), JsonSerializer.Serialize(entryInfo), cancellationToken).ConfigureAwait(false);
            var final = CacheFolder(digest);
            ContentCacheFolders.Publish(staging, final);

            if (indexDigest is null)
            {
                _undigestedVersions[VersionKey(repository, chart, entry)] = digest;
            }

            Log.Fetched(_logger, chart, entry.Version, printable, digest, extracted.Files);
            return ToArtifact(source, entry, digest, final, TryReadCache(final) ?? entryInfo);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                ContentCacheFolders.TryDelete(staging);
            }
        }
    }

    private static string FindChartFolder(SourceReference source, string chart, string version, string content)
    {
        if (File.Exists(Path.Combine(content, chart, "Chart.yaml")))
        {
            return chart;
        }

        var charts = Directory.GetDirectories(content).Where(d => File.Exists(Path.Combine(d, "Chart.yaml"))).ToList();
        return charts.Count == 1
            ? Path.GetFileName(charts[0])
            : throw new SourceException($"{source}: the archive of chart {chart} {version} holds no single chart folder with a Chart.yaml.") { Kind = SourceErrorKind.Integrity };
    }

    private static string? NormalizeDigest(string? digest)
    {
        if (digest is null)
        {
            return null;
        }

        var hex = digest.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) ? digest[7..] : digest;
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigit) ? "sha256:" + hex.ToLowerInvariant() : null;
    }

    private static string VersionKey(string repository, string chart, ChartIndexEntry entry) => $"{repository}\n{chart}\n{entry.Version}\n{entry.Created}";

    private string CacheFolder(string digest) => Path.Combine(_options.CacheDirectory, "charts", digest.Replace(':', '-'));

    private static CacheEntry? TryReadCache(string folder) => ContentCacheFolders.TryReadMarker<CacheEntry>(folder, MarkerFile);

    private SourceArtifact ToArtifact(SourceReference source, ChartIndexEntry entry, string digest, string folder, CacheEntry cached)
    {
        var root = Path.Combine(folder, ContentFolder);
        var path = source.Path is { Length: > 0 } p ? cached.ChartFolder + "/" + p.Trim('/') : cached.ChartFolder;
        var full = Path.GetFullPath(Path.Combine(root, path));
        if (!full.StartsWith(Path.GetFullPath(root), StringComparison.Ordinal) || !Directory.Exists(full))
        {
            throw new SourceException($"{source}: path '{path}' does not exist in chart {source.Chart} {entry.Version}.") { Kind = SourceErrorKind.PathNotFound };
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["helm.chart"] = source.Chart!,
            ["helm.version"] = entry.Version,
        };
        if (entry.AppVersion is not null)
        {
            metadata["helm.appVersion"] = entry.AppVersion;
        }

        if (entry.Created is not null)
        {
            metadata["helm.created"] = entry.Created;
        }

        if (entry.Deprecated)
        {
            metadata["helm.deprecated"] = "true";
        }

        return new SourceArtifact
        {
            Source = source,
            Revision = entry.Version,
            Digest = digest,
            RootDirectory = root,
            Path = path,
            FetchedAt = _time.GetUtcNow(),
            ArtifactKind = ArtifactKinds.HelmChart,
            Metadata = metadata,
        };
    }

    private static void TryDeleteFile(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private sealed record CacheEntry
    {
        public required string ChartFolder { get; init; }
    }
}
