using System.Net;
using System.Security.Cryptography;
using GitOps.Sdk;
using Microsoft.Extensions.Options;

namespace GitOps.Samples.CustomSource;

/// <summary>
/// A source provider for plain HTTP(S) tarballs pinned by checksum — the smallest complete <see cref="ISourceProvider"/>.
/// An application names it with <c>Type = "tarball"</c>, the URL of a <c>.tar.gz</c>, and <c>Ref = "sha256:&lt;hex&gt;"</c>:
/// the checksum is the revision, so the content can never change under the same revision. The download is streamed
/// to disk while hashed, refused on a checksum mismatch, and extracted with <see cref="SafeArchive"/> (no path escapes,
/// links or devices; size limits) into a cache folder per checksum that is reused by later fetches.
/// </summary>
public sealed class TarballSourceProvider : ISourceProvider
{
    /// <summary>The <see cref="SourceReference.Type"/> this provider handles.</summary>
    public const string SourceType = "tarball";

    private const string Sha256Prefix = "sha256:";
    private readonly HttpClient _http;
    private readonly TarballSourceOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Initializes a new instance of the <see cref="TarballSourceProvider"/> class.</summary>
    /// <param name="http">The HTTP client (from <c>IHttpClientFactory</c> or your own).</param>
    /// <param name="options">The settings.</param>
    /// <param name="time">The clock.</param>
    public TarballSourceProvider(HttpClient http, IOptions<TarballSourceOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _http = http;
        _options = options.Value;
        _time = time;
    }

    /// <inheritdoc />
    public bool CanHandle(SourceReference source) =>
        source is not null && string.Equals(source.Type, SourceType, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc />
    public ValueTask<SourceRevision> ResolveAsync(SourceReference source, CancellationToken cancellationToken)
    {
        var checksum = Checksum(source);
        return ValueTask.FromResult(new SourceRevision(Sha256Prefix + checksum, checksum));
    }

    /// <inheritdoc />
    public async ValueTask<SourceArtifact> FetchAsync(SourceReference source, CancellationToken cancellationToken)
    {
        var checksum = Checksum(source);
        var url = SafeUrl.Redact(source.Url);
        var root = Path.GetFullPath(Path.Combine(_options.CacheDirectory, checksum));
        if (!Directory.Exists(root))
        {
            await DownloadAndExtractAsync(source, checksum, root, url, cancellationToken).ConfigureAwait(false);
        }

        var artifact = new SourceArtifact
        {
            Source = source,
            Revision = Sha256Prefix + checksum,
            Digest = Sha256Prefix + checksum,
            RootDirectory = root,
            Path = source.Path?.Trim('/') ?? string.Empty,
            FetchedAt = _time.GetUtcNow(),
            ArtifactKind = ArtifactKinds.Manifests,
        };
        if (!Directory.Exists(artifact.ContentDirectory) || !artifact.ContentDirectory.StartsWith(root, StringComparison.Ordinal))
        {
            throw new SourceException($"path '{source.Path}' not found in tarball {url} ({artifact.Revision})") { Kind = SourceErrorKind.PathNotFound };
        }

        return artifact;
    }

    private async Task DownloadAndExtractAsync(SourceReference source, string checksum, string root, string url, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_options.CacheDirectory);
        var staging = Path.Combine(_options.CacheDirectory, $".staging-{Guid.NewGuid():N}");
        var download = staging + ".tar.gz";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            string actual;
            try
            {
                using var response = await _http.GetAsync(new Uri(source.Url), HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw new SourceException($"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}")
                    {
                        Kind = response.StatusCode switch
                        {
                            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => SourceErrorKind.Unauthorized,
                            HttpStatusCode.NotFound => SourceErrorKind.RefNotFound,
                            _ => SourceErrorKind.Unreachable,
                        },
                    };
                }

                actual = await SaveAndHashAsync(response, download, url, timeout.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new SourceException($"GET {url} failed: {e.HttpRequestError}", e) { Kind = SourceErrorKind.Unreachable };
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SourceException($"GET {url} did not finish within {_options.Timeout}", e) { Kind = SourceErrorKind.Timeout };
            }

            if (!string.Equals(actual, checksum, StringComparison.Ordinal))
            {
                throw new SourceException($"tarball {url} has sha256:{actual}, expected sha256:{checksum}; refusing it") { Kind = SourceErrorKind.Integrity };
            }

            var file = File.OpenRead(download);
            await using (file.ConfigureAwait(false))
            {
                await SafeArchive.ExtractTarGzAsync(file, staging, ArchiveLimits.Default, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                Directory.Move(staging, root);
            }
            catch (IOException) when (Directory.Exists(root))
            {
                // Another fetch of the same checksum won the race; its content is identical.
            }
        }
        finally
        {
            File.Delete(download);
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private async Task<string> SaveAndHashAsync(HttpResponseMessage response, string path, string url, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > _options.MaxDownloadBytes)
        {
            throw new SourceException($"tarball {url} is {response.Content.Headers.ContentLength} bytes, more than the {_options.MaxDownloadBytes} allowed") { Kind = SourceErrorKind.Integrity };
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var file = File.Create(path);
        await using (body.ConfigureAwait(false))
        await using (file.ConfigureAwait(false))
        {
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total > _options.MaxDownloadBytes)
                {
                    throw new SourceException($"tarball {url} exceeds the {_options.MaxDownloadBytes} bytes allowed") { Kind = SourceErrorKind.Integrity };
                }

                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string Checksum(SourceReference source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var text = source.Ref ?? string.Empty;
        if (text.StartsWith(Sha256Prefix, StringComparison.OrdinalIgnoreCase))
        {
            text = text[Sha256Prefix.Length..];
        }

        if (text.Length != 64 || !text.All(char.IsAsciiHexDigit))
        {
            throw new SourceException($"tarball source {SafeUrl.Redact(source.Url)} needs Ref = \"sha256:<64 hex digits>\"; got '{source.Ref}'")
            {
                Kind = SourceErrorKind.RefNotFound,
            };
        }

        return text.ToLowerInvariant();
    }
}
