using GitOps.Sdk.Shared;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Sdk.Oci.Distribution;

/// <summary>
/// A client of the OCI Distribution Specification: resolves tags, fetches manifests and blobs (verifying every digest
/// and size) and lists tags page by page. (Pushing blobs and manifests is internal: the tests publish with it; the engine only pulls.)
/// </summary>
/// <remarks>
/// <para>Authentication: anonymous; HTTP basic when the registry challenges with <c>Basic</c>; the bearer-token flow
/// when it challenges with <c>Bearer realm=…,service=…,scope=…</c> (the user name and password, if any, are sent to the
/// token endpoint only; tokens are cached per registry, scope and user until they expire). A
/// <see cref="SourceCredentials.BearerToken"/> without a user name is sent as the bearer token itself.</para>
/// <para>Credentials are never logged or put in exception messages. Plain HTTP is used only for registries listed in
/// <see cref="OciOptions.PlainHttpRegistries"/>.</para>
/// </remarks>
/// <example>
/// <code>
/// using var http = new HttpClient();
/// var client = new OciDistributionClient(http, new OciOptions());
/// var repo = OciRepositoryReference.Parse("oci://ghcr.io/stefanprodan/manifests/podinfo");
/// var head = await client.ResolveAsync(repo, "latest", credentials: null, cancellationToken);
/// </code>
/// </example>
public sealed partial class OciDistributionClient : IDisposable
{
    private const int MaxTagPages = 10_000;

    private readonly HttpClient _http;
    private readonly OciOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, CachedToken> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _basicRegistries = new(StringComparer.Ordinal);
    private readonly TlsClientCache _tls = new();

    /// <summary>Initializes a new instance.</summary>
    /// <param name="httpClient">The HTTP client (its handler should follow redirects: registries redirect blob downloads to storage).</param>
    /// <param name="options">The options.</param>
    /// <param name="timeProvider">The clock for token expiry and request timeouts. <value>Default: <see cref="TimeProvider.System"/>.</value></param>
    /// <param name="logger">The logger.</param>
    public OciDistributionClient(HttpClient httpClient, OciOptions options, TimeProvider? timeProvider = null, ILogger<OciDistributionClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        _http = httpClient;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Resolves a tag or digest to the manifest's descriptor with a <c>HEAD</c> request (falling back to <c>GET</c>).</summary>
    /// <param name="repository">The repository.</param>
    /// <param name="reference">A tag or a digest.</param>
    /// <param name="credentials">Credentials, or <see langword="null"/> for anonymous access.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The descriptor of the manifest the reference points to.</returns>
    /// <exception cref="SourceException">The registry is unreachable, refused the credentials, has no such reference, or answered inconsistently.</exception>
    public async Task<OciDescriptor> ResolveAsync(OciRepositoryReference repository, string reference, SourceCredentials? credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        CheckReference(repository, reference);
        var uri = ManifestUri(repository, reference);
        int status;
        using (var response = await SendAsync(repository, Pull, () => ManifestRequest(HttpMethod.Head, uri), credentials, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
        {
            status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw NotFound(repository, reference);
            }

            if (response.IsSuccessStatusCode
                && response.Headers.TryGetValues("Docker-Content-Digest", out var digests)
                && digests.FirstOrDefault() is { } digest
                && IsValidDigest(digest))
            {
                if (IsDigest(reference) && !string.Equals(digest, reference, StringComparison.Ordinal))
                {
                    throw Integrity($"{repository}@{reference}: the registry answered with manifest digest {digest}");
                }

                var mediaType = response.Content.Headers.ContentType?.MediaType ?? OciMediaTypes.ImageManifest;
                var size = response.Content.Headers.ContentLength ?? -1;
                Log.ManifestResolved(_logger, repository.ToString(), reference, digest);
                return new OciDescriptor(mediaType, digest, size);
            }
        }

        // Some registries answer HEAD without Docker-Content-Digest (or not at all): GET and hash the bytes ourselves.
        Log.HeadFallback(_logger, repository.ToString(), reference, status);
        var manifest = await GetManifestAsync(repository, reference, credentials, cancellationToken).ConfigureAwait(false);
        return manifest.Descriptor;
    }

    /// <summary>Fetches a manifest or index and verifies its digest (against the reference when it is a digest, and against <c>Docker-Content-Digest</c>).</summary>
    /// <param name="repository">The repository.</param>
    /// <param name="reference">A tag or a digest.</param>
    /// <param name="credentials">Credentials, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The parsed manifest with its raw bytes.</returns>
    /// <exception cref="SourceException">The request failed, or the content did not match its digest or is not a manifest.</exception>
    public async Task<OciManifest> GetManifestAsync(OciRepositoryReference repository, string reference, SourceCredentials? credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        CheckReference(repository, reference);
        var uri = ManifestUri(repository, reference);
        using var response = await SendAsync(repository, Pull, () => ManifestRequest(HttpMethod.Get, uri), credentials, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw NotFound(repository, reference);
        }

        await EnsureSuccessAsync(response, repository, $"manifest {reference}", cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength > _options.MaxManifestBytes)
        {
            throw Integrity($"{repository}@{reference}: the manifest is {response.Content.Headers.ContentLength} bytes, more than the limit of {_options.MaxManifestBytes}");
        }

        var bytes = await ReadLimitedAsync(response, _options.MaxManifestBytes, $"{repository}@{reference}", cancellationToken).ConfigureAwait(false);
        var algorithm = IsDigest(reference) ? reference[..reference.IndexOf(':', StringComparison.Ordinal)] : "sha256";
        var computed = ComputeDigest(algorithm, bytes);
        if (IsDigest(reference) && !string.Equals(computed, reference, StringComparison.Ordinal))
        {
            throw Integrity($"{repository}@{reference}: the manifest served has digest {computed}");
        }

        if (response.Headers.TryGetValues("Docker-Content-Digest", out var headerDigests)
            && headerDigests.FirstOrDefault() is { } headerDigest
            && headerDigest.StartsWith(algorithm + ":", StringComparison.Ordinal)
            && !string.Equals(headerDigest, computed, StringComparison.Ordinal))
        {
            throw Integrity($"{repository}@{reference}: the registry says the manifest is {headerDigest} but its content hashes to {computed}");
        }

        var manifest = ParseManifest(bytes, computed, response.Content.Headers.ContentType?.MediaType, $"{repository}@{reference}");
        Log.ManifestResolved(_logger, repository.ToString(), reference, computed);
        return manifest;
    }


    /// <summary>Lists all tags of a repository, following <c>Link</c> headers page by page (<c>n</c>/<c>last</c>).</summary>
    /// <param name="repository">The repository.</param>
    /// <param name="credentials">Credentials, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <returns>The tags in the order the registry returned them.</returns>
    /// <exception cref="SourceException">The request failed; kind <see cref="SourceErrorKind.RefNotFound"/> when the repository does not exist.</exception>
    public async Task<IReadOnlyList<string>> ListTagsAsync(OciRepositoryReference repository, SourceCredentials? credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var baseUri = BaseUri(repository);
        var next = new Uri(baseUri, $"{repository.Repository}/tags/list?n={_options.TagPageSize.ToString(CultureInfo.InvariantCulture)}");
        var tags = new List<string>();
        for (var page = 0; next is not null; page++)
        {
            if (page >= MaxTagPages)
            {
                throw new SourceException($"{repository}: more than {MaxTagPages} pages of tags; giving up.") { Kind = SourceErrorKind.Other };
            }

            var uri = next;
            using var response = await SendAsync(repository, Pull, () => new HttpRequestMessage(HttpMethod.Get, uri), credentials, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new SourceException($"{repository}: the repository does not exist.") { Kind = SourceErrorKind.RefNotFound };
            }

            await EnsureSuccessAsync(response, repository, "tag list", cancellationToken).ConfigureAwait(false);
            var bytes = await ReadLimitedAsync(response, _options.MaxManifestBytes, $"{repository} tag list", cancellationToken).ConfigureAwait(false);
            try
            {
                using var document = JsonDocument.Parse(bytes);
                if (document.RootElement.TryGetProperty("tags", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    foreach (var tag in list.EnumerateArray())
                    {
                        if (tag.GetString() is { Length: > 0 } t)
                        {
                            tags.Add(t);
                        }
                    }
                }
            }
            catch (JsonException ex)
            {
                throw new SourceException($"{repository}: the tag list is not valid JSON: {ex.Message}", ex) { Kind = SourceErrorKind.Other };
            }

            next = NextPage(response, uri);
        }

        return tags;
    }

    /// <summary>Releases the connection pools made for sources with their own TLS settings; the injected <see cref="HttpClient"/> is the caller's.</summary>
    public void Dispose() => _tls.Dispose();

    /// <summary>Returns whether <paramref name="reference"/> is a digest (<c>sha256:…</c>) rather than a tag.</summary>
    /// <param name="reference">A tag or digest.</param>
    /// <returns><see langword="true"/> for a digest.</returns>
    public static bool IsDigest(string? reference) => reference is not null && reference.Contains(':', StringComparison.Ordinal);

    internal static bool IsValidDigest(string? digest) => digest is not null && DigestPattern().IsMatch(digest);

    internal static string ComputeDigest(string algorithm, ReadOnlySpan<byte> bytes) =>
        algorithm == "sha512"
            ? "sha512:" + Convert.ToHexStringLower(SHA512.HashData(bytes))
            : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private const string Pull = "pull";
    private const string Push = "pull,push";

    private Uri BaseUri(OciRepositoryReference repository)
    {
        var host = repository.Registry == "docker.io" ? "registry-1.docker.io" : repository.Registry;
        var scheme = _options.IsPlainHttp(repository.Registry) ? "http" : "https";
        return new Uri($"{scheme}://{host}/v2/");
    }

    private Uri ManifestUri(OciRepositoryReference repository, string reference) =>
        new(BaseUri(repository), $"{repository.Repository}/manifests/{reference}");

    private static HttpRequestMessage ManifestRequest(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.TryAddWithoutValidation("Accept", OciMediaTypes.ManifestAccept);
        return request;
    }

    private static void CheckReference(OciRepositoryReference repository, string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        if (IsDigest(reference) ? !IsValidDigest(reference) : !TagPattern().IsMatch(reference))
        {
            throw new SourceException($"{repository}: '{reference}' is neither a valid tag nor a sha256/sha512 digest.") { Kind = SourceErrorKind.RefNotFound };
        }
    }

    private static Uri? NextPage(HttpResponseMessage response, Uri current)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        foreach (var link in links)
        {
            // <url>; rel="next"
            var match = LinkPattern().Match(link);
            if (match.Success && Uri.TryCreate(current, match.Groups[1].Value, out var next))
            {
                // Credentials go only where the registry lives.
                return string.Equals(next.Authority, current.Authority, StringComparison.OrdinalIgnoreCase) ? next : null;
            }
        }

        return null;
    }

    private static SourceException NotFound(OciRepositoryReference repository, string reference) =>
        new($"{repository}: '{reference}' does not exist (no such tag, digest or repository).") { Kind = SourceErrorKind.RefNotFound };

    private static SourceException Unauthorized(OciRepositoryReference repository, SourceCredentials? credentials) =>
        new(credentials is null
            ? $"{repository}: the registry requires authentication and no credentials are configured."
            : $"{repository}: the registry refused the credentials{(credentials.Username is null ? string.Empty : " of user '" + credentials.Username + "'")}.")
        { Kind = SourceErrorKind.Unauthorized };

    private static SourceException Integrity(string message) => new(message + ".") { Kind = SourceErrorKind.Integrity };

    [GeneratedRegex("^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$", RegexOptions.CultureInvariant)]
    private static partial Regex DigestPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    [GeneratedRegex("<([^>]+)>\\s*;\\s*rel=\"?next\"?", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex LinkPattern();
}
