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
public sealed class HelmRepositorySourceProvider : ISourceProvider, IDisposable
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

    private async Task<(ChartIndexEntry Entry, string Repository, SourceCredentials? Credentials)> SelectAsync(SourceReference source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (string.IsNullOrWhiteSpace(source.Chart))
        {
            throw new SourceException($"{source}: a Helm repository source needs a chart name (SourceReference.Chart).") { Kind = SourceErrorKind.PathNotFound };
        }

        var repository = source.Url.TrimEnd('/');
        if (!Uri.TryCreate(repository + "/", UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps))
        {
            throw new SourceException($"{source}: '{SafeUrl.Redact(source.Url)}' is not an http(s) URL.") { Kind = SourceErrorKind.Other };
        }

        var credentials = _credentials is null ? null : await _credentials.GetCredentialsAsync(source, cancellationToken).ConfigureAwait(false);
        var versions = await ReadChartVersionsAsync(source, repository, baseUri, credentials, cancellationToken).ConfigureAwait(false);
        var wanted = string.IsNullOrWhiteSpace(source.Ref) ? "*" : source.Ref.Trim();
        ChartIndexEntry? chosen;
        if (source.RefKind != SourceRefKind.Semver && !VersionSelector.LooksLikeRange(wanted))
        {
            chosen = versions.FirstOrDefault(v => v.Version == wanted)
                ?? (VersionSelector.TryParseVersion(wanted, out var exact)
                    ? versions.FirstOrDefault(v => VersionSelector.TryParseVersion(v.Version, out var candidate) && candidate.ComparePrecedenceTo(exact) == 0)
                    : null);
        }
        else
        {
            string? version;
            try
            {
                version = VersionSelector.SelectHighest(versions.Select(v => v.Version), wanted, source.IncludePrerelease);
            }
            catch (FormatException ex)
            {
                throw new SourceException($"{source}: {ex.Message}", ex) { Kind = SourceErrorKind.RefNotFound };
            }

            chosen = version is null ? null : versions.First(v => v.Version == version);
        }

        return chosen is null
            ? throw new SourceException($"{source}: no version of chart {source.Chart} matches '{wanted}' (the index lists {versions.Count}{(source.IncludePrerelease ? string.Empty : "; pre-releases excluded")}).") { Kind = SourceErrorKind.RefNotFound }
            : (chosen, repository, credentials);
    }

    private async Task<IReadOnlyList<ChartIndexEntry>> ReadChartVersionsAsync(SourceReference source, string repository, Uri baseUri, SourceCredentials? credentials, CancellationToken cancellationToken)
    {
        var indexUri = new Uri(baseUri, "index.yaml");
        var chart = source.Chart!;
        _indexes.TryGetValue(repository, out var state);
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, indexUri);
        Authorize(request, credentials);
        if (state is not null && File.Exists(state.File))
        {
            if (state.ETag is not null)
            {
                request.Headers.IfNoneMatch.Add(state.ETag);
            }
            else if (state.LastModified is not null)
            {
                request.Headers.IfModifiedSince = state.LastModified;
            }
        }

        try
        {
            using var response = await _tls.Select(_http, credentials).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotModified && state is not null)
            {
                Log.IndexUnchanged(_logger, SafeUrl.Redact(repository));
            }
            else
            {
                EnsureSuccess(source, response, "index.yaml");
                state = await StoreIndexAsync(source, repository, response, linked.Token).ConfigureAwait(false);
                _indexes[repository] = state;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SourceException($"{source}: the index did not arrive within {_options.RequestTimeout}.") { Kind = SourceErrorKind.Timeout };
        }
        catch (HttpRequestException ex) when (ex.InnerException is System.Security.Authentication.AuthenticationException)
        {
            throw new SourceException($"{source}: the repository's TLS certificate is not trusted (set CaCertificatePem or InsecureSkipTlsVerify in the source's credentials): {ex.InnerException.Message}", ex) { Kind = SourceErrorKind.Unreachable };
        }
        catch (HttpRequestException ex)
        {
            throw new SourceException($"{source}: the repository is unreachable: {ex.Message}", ex) { Kind = SourceErrorKind.Unreachable };
        }

        if (state.Charts.TryGetValue(chart, out var parsed))
        {
            return parsed;
        }

        List<ChartIndexEntry>? entries;
        try
        {
            using var reader = new StreamReader(state.File, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            entries = HelmIndexReader.ReadChart(reader, chart);
        }
        catch (YamlException ex)
        {
            throw new SourceException($"{source}: index.yaml is not a valid Helm index: {ex.Message}", ex) { Kind = SourceErrorKind.Other };
        }

        if (entries is null)
        {
            throw new SourceException($"{source}: the repository has no chart named '{chart}'.") { Kind = SourceErrorKind.RefNotFound };
        }

        state.Charts[chart] = entries;
        return entries;
    }

    private async Task<IndexState> StoreIndexAsync(SourceReference source, string repository, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var length = response.Content.Headers.ContentLength;
        if (length > _options.MaxIndexBytes)
        {
            throw new SourceException($"{source}: index.yaml is {length} bytes, more than the limit of {_options.MaxIndexBytes}.") { Kind = SourceErrorKind.Integrity };
        }

        var folder = Path.Combine(_options.CacheDirectory, "indexes");
        Directory.CreateDirectory(folder);
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(repository)))[..32];
        var file = Path.Combine(folder, $"{name}-{Guid.NewGuid():N}.yaml");
        long total;
        var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, useAsync: true);
        await using (output.ConfigureAwait(false))
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                total = await CopyLimitedAsync(body, output, _options.MaxIndexBytes, null, () => new SourceException($"{source}: index.yaml is larger than the limit of {_options.MaxIndexBytes} bytes.") { Kind = SourceErrorKind.Integrity }, cancellationToken).ConfigureAwait(false);
            }
        }

        Log.IndexDownloaded(_logger, SafeUrl.Redact(repository), total);
        if (_indexes.TryGetValue(repository, out var previous) && previous.File != file)
        {
            TryDeleteFile(previous.File);
        }

        return new IndexState(file, response.Headers.ETag, response.Content.Headers.LastModified);
    }

    private async Task<string> DownloadChartAsync(SourceReference source, Uri chartUri, string repository, SourceCredentials? credentials, Stream destination, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, chartUri);
        if (_options.PassCredentialsToAllDomains || SameOrigin(chartUri, new Uri(repository + "/")))
        {
            Authorize(request, credentials);
        }

        try
        {
            using var response = await _tls.Select(_http, credentials).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            EnsureSuccess(source, response, $"chart archive {SafeUrl.Redact(chartUri.ToString())}");
            if (response.Content.Headers.ContentLength > _options.MaxChartBytes)
            {
                throw new SourceException($"{source}: the chart archive is {response.Content.Headers.ContentLength} bytes, more than the limit of {_options.MaxChartBytes}.") { Kind = SourceErrorKind.Integrity };
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var body = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                await CopyLimitedAsync(body, destination, _options.MaxChartBytes, hash, () => new SourceException($"{source}: the chart archive is larger than the limit of {_options.MaxChartBytes} bytes.") { Kind = SourceErrorKind.Integrity }, linked.Token).ConfigureAwait(false);
            }

            return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SourceException($"{source}: the chart archive did not arrive within {_options.RequestTimeout}.") { Kind = SourceErrorKind.Timeout };
        }
        catch (HttpRequestException ex)
        {
            throw new SourceException($"{source}: the chart archive is unreachable: {ex.Message}", ex) { Kind = SourceErrorKind.Unreachable };
        }
    }

    private static async Task<long> CopyLimitedAsync(Stream from, Stream to, long limit, IncrementalHash? hash, Func<SourceException> tooLarge, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > limit)
            {
                throw tooLarge();
            }

            hash?.AppendData(buffer, 0, read);
            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }

        return total;
    }

    private static Uri ChartUri(SourceReference source, string repository, ChartIndexEntry entry)
    {
        var url = entry.Urls.FirstOrDefault(u => !string.IsNullOrWhiteSpace(u))
            ?? throw new SourceException($"{source}: chart {source.Chart} {entry.Version} lists no download URL.") { Kind = SourceErrorKind.Other };
        if (!Uri.TryCreate(new Uri(repository + "/"), url, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new SourceException($"{source}: chart {source.Chart} {entry.Version} has an unusable URL '{SafeUrl.Redact(url)}'.") { Kind = SourceErrorKind.Other };
        }

        return uri;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.Authority, b.Authority, StringComparison.OrdinalIgnoreCase);

    private static void Authorize(HttpRequestMessage request, SourceCredentials? credentials)
    {
        if (credentials?.Username is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}")));
        }
        else if (credentials?.BearerToken is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    private static void EnsureSuccess(SourceReference source, HttpResponseMessage response, string what)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var kind = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => SourceErrorKind.Unauthorized,
            HttpStatusCode.NotFound => SourceErrorKind.RefNotFound,
            HttpStatusCode.RequestTimeout or HttpStatusCode.GatewayTimeout => SourceErrorKind.Timeout,
            HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable => SourceErrorKind.Unreachable,
            _ => SourceErrorKind.Other,
        };
        throw new SourceException($"{source}: {what} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.") { Kind = kind };
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

    private sealed record IndexState(string File, EntityTagHeaderValue? ETag, DateTimeOffset? LastModified)
    {
        public ConcurrentDictionary<string, List<ChartIndexEntry>> Charts { get; } = new(StringComparer.Ordinal);
    }

    private sealed record CacheEntry
    {
        public required string ChartFolder { get; init; }
    }
}
