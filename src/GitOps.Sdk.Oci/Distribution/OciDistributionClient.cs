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
/// and size), lists tags page by page, and pushes blobs and manifests.
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
    private const int MaxErrorBodyChars = 2048;
    private static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(60);

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

    /// <summary>Downloads a blob into <paramref name="destination"/>, verifying its size and digest while it streams.</summary>
    /// <param name="repository">The repository.</param>
    /// <param name="blob">The descriptor from the manifest.</param>
    /// <param name="destination">Where the bytes go; on failure it holds partial content the caller must discard.</param>
    /// <param name="credentials">Credentials, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the transfer.</param>
    /// <returns>A task that completes when the blob is written and verified.</returns>
    /// <exception cref="SourceException">The request failed or the bytes did not match the descriptor (kind <see cref="SourceErrorKind.Integrity"/>).</exception>
    public async Task DownloadBlobAsync(OciRepositoryReference repository, OciDescriptor blob, Stream destination, SourceCredentials? credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(destination);
        if (!IsValidDigest(blob.Digest))
        {
            throw Integrity($"{repository}: blob digest '{blob.Digest}' is not a valid sha256/sha512 digest");
        }

        if (blob.Size < 0 || blob.Size > _options.MaxLayerBytes)
        {
            throw Integrity($"{repository}@{blob.Digest}: blob size {blob.Size} is outside the limit of {_options.MaxLayerBytes} bytes");
        }

        var uri = new Uri(BaseUri(repository), $"{repository.Repository}/blobs/{blob.Digest}");
        using var response = await SendAsync(repository, Pull, () => new HttpRequestMessage(HttpMethod.Get, uri), credentials, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new SourceException($"{repository}: blob {blob.Digest} does not exist in the registry.") { Kind = SourceErrorKind.RefNotFound };
        }

        await EnsureSuccessAsync(response, repository, $"blob {blob.Digest}", cancellationToken).ConfigureAwait(false);
        var algorithm = blob.Digest[..blob.Digest.IndexOf(':', StringComparison.Ordinal)];
        using var hash = IncrementalHash.CreateHash(algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var buffer = new byte[81920];
            long total = 0;
            int read;
            try
            {
                while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                    if (total > blob.Size)
                    {
                        throw Integrity($"{repository}@{blob.Digest}: the registry sent more than the {blob.Size} bytes the manifest declares");
                    }

                    hash.AppendData(buffer, 0, read);
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }
            catch (IOException ex)
            {
                throw new SourceException($"{repository}@{blob.Digest}: the download broke off: {ex.Message}", ex) { Kind = SourceErrorKind.Unreachable };
            }

            if (total != blob.Size)
            {
                throw Integrity($"{repository}@{blob.Digest}: the registry sent {total} bytes, the manifest declares {blob.Size}");
            }

            var computed = algorithm + ":" + Convert.ToHexStringLower(hash.GetHashAndReset());
            if (!string.Equals(computed, blob.Digest, StringComparison.Ordinal))
            {
                throw Integrity($"{repository}@{blob.Digest}: the content served hashes to {computed}; refusing it");
            }

            Log.BlobDownloaded(_logger, repository.ToString(), blob.Digest, total);
        }
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

    /// <summary>Uploads a blob (monolithic <c>POST</c> + <c>PUT</c>) unless the registry already has it.</summary>
    /// <param name="repository">The repository.</param>
    /// <param name="content">The bytes.</param>
    /// <param name="mediaType">The media type to put in the returned descriptor.</param>
    /// <param name="credentials">Credentials, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The descriptor to reference from a manifest.</returns>
    /// <exception cref="SourceException">The registry refused the upload.</exception>
    public async Task<OciDescriptor> PushBlobAsync(OciRepositoryReference repository, ReadOnlyMemory<byte> content, string mediaType, SourceCredentials? credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var digest = ComputeDigest("sha256", content.Span);
        var descriptor = new OciDescriptor(mediaType, digest, content.Length);
        var blobUri = new Uri(BaseUri(repository), $"{repository.Repository}/blobs/{digest}");
        using (var head = await SendAsync(repository, Push, () => new HttpRequestMessage(HttpMethod.Head, blobUri), credentials, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
        {
            if (head.IsSuccessStatusCode)
            {
                return descriptor;
            }
        }

        var startUri = new Uri(BaseUri(repository), $"{repository.Repository}/blobs/uploads/");
        Uri location;
        using (var start = await SendAsync(repository, Push, () => new HttpRequestMessage(HttpMethod.Post, startUri) { Content = new ByteArrayContent([]) }, credentials, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false))
        {
            await EnsureSuccessAsync(start, repository, "blob upload", cancellationToken).ConfigureAwait(false);
            location = start.Headers.Location is { } l
                ? (l.IsAbsoluteUri ? l : new Uri(startUri, l))
                : throw new SourceException($"{repository}: the registry started an upload without a Location header.") { Kind = SourceErrorKind.Other };
        }

        if (!string.Equals(location.Authority, startUri.Authority, StringComparison.OrdinalIgnoreCase))
        {
            throw new SourceException($"{repository}: the registry sent the upload to another host ({location.Authority}); refusing to send content there.") { Kind = SourceErrorKind.Other };
        }

        var separator = string.IsNullOrEmpty(location.Query) ? "?" : "&";
        var putUri = new Uri(location + separator + "digest=" + Uri.EscapeDataString(digest));
        using (var put = await SendAsync(
            repository,
            Push,
            () =>
            {
                var body = new ReadOnlyMemoryContent(content);
                body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                return new HttpRequestMessage(HttpMethod.Put, putUri) { Content = body };
            },
            credentials,
            HttpCompletionOption.ResponseContentRead,
            cancellationToken).ConfigureAwait(false))
        {
            await EnsureSuccessAsync(put, repository, $"blob upload {digest}", cancellationToken).ConfigureAwait(false);
        }

        return descriptor;
    }

    /// <summary>Uploads a manifest under a tag or digest.</summary>
    /// <param name="repository">The repository.</param>
    /// <param name="reference">The tag (or the manifest's digest).</param>
    /// <param name="mediaType">The manifest's media type (sent as <c>Content-Type</c>).</param>
    /// <param name="content">The manifest bytes, exactly as they are to be hashed.</param>
    /// <param name="credentials">Credentials, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The manifest's descriptor.</returns>
    /// <exception cref="SourceException">The registry refused the manifest.</exception>
    public async Task<OciDescriptor> PushManifestAsync(OciRepositoryReference repository, string reference, string mediaType, ReadOnlyMemory<byte> content, SourceCredentials? credentials, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(repository);
        CheckReference(repository, reference);
        var uri = ManifestUri(repository, reference);
        using var response = await SendAsync(
            repository,
            Push,
            () =>
            {
                var body = new ReadOnlyMemoryContent(content);
                body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
                return new HttpRequestMessage(HttpMethod.Put, uri) { Content = body };
            },
            credentials,
            HttpCompletionOption.ResponseContentRead,
            cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, repository, $"manifest upload {reference}", cancellationToken).ConfigureAwait(false);
        return new OciDescriptor(mediaType, ComputeDigest("sha256", content.Span), content.Length);
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

    private async Task<HttpResponseMessage> SendAsync(
        OciRepositoryReference repository,
        string actions,
        Func<HttpRequestMessage> createRequest,
        SourceCredentials? credentials,
        HttpCompletionOption completion,
        CancellationToken cancellationToken)
    {
        var scope = $"repository:{repository.Repository}:{actions}";
        var tokenKey = TokenKey(repository.Registry, scope, credentials);
        var basicKey = repository.Registry + "\n" + credentials?.Username;
        var authorization = CurrentAuthorization(tokenKey, basicKey, credentials);

        var response = await SendOnceAsync(repository, createRequest, credentials, authorization, completion, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return ForbiddenCheck(response, repository);
        }

        var challenges = response.Headers.WwwAuthenticate.Select(h => AuthChallenge.Parse(h.Scheme, h.Parameter)).ToList();
        response.Dispose();
        var bearer = challenges.FirstOrDefault(c => c.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase));
        var basic = challenges.FirstOrDefault(c => c.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase));
        AuthenticationHeaderValue? retry = null;
        if (bearer is not null && bearer.Get("realm") is { Length: > 0 } realm)
        {
            if (credentials?.BearerToken is { Length: > 0 } token && string.IsNullOrEmpty(credentials.Username))
            {
                if (authorization is not null)
                {
                    throw Unauthorized(repository, credentials);
                }

                retry = new AuthenticationHeaderValue("Bearer", token);
            }
            else
            {
                // Ask for what this call needs and what the registry's challenge names (they differ when the registry
                // challenges a HEAD with pull only, or lists the actions in another order), so the cached token serves both.
                var scopes = new List<string> { scope };
                if (bearer.Get("scope") is { Length: > 0 } challengeScope && !string.Equals(challengeScope, scope, StringComparison.Ordinal))
                {
                    scopes.Add(challengeScope);
                }

                retry = await FetchTokenAsync(repository, realm, bearer.Get("service"), scopes, credentials, tokenKey, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (basic is not null)
        {
            if (credentials?.Username is null || authorization?.Scheme == "Basic")
            {
                throw Unauthorized(repository, credentials);
            }

            _basicRegistries[basicKey] = true;
            retry = BasicHeader(credentials);
        }
        else
        {
            throw Unauthorized(repository, credentials);
        }

        var second = await SendOnceAsync(repository, createRequest, credentials, retry, completion, cancellationToken).ConfigureAwait(false);
        if (second.StatusCode == HttpStatusCode.Unauthorized)
        {
            second.Dispose();
            _tokens.TryRemove(tokenKey, out _);
            throw Unauthorized(repository, credentials);
        }

        return ForbiddenCheck(second, repository);
    }

    private static HttpResponseMessage ForbiddenCheck(HttpResponseMessage response, OciRepositoryReference repository)
    {
        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            response.Dispose();
            throw new SourceException($"{repository}: access denied (403).") { Kind = SourceErrorKind.Unauthorized };
        }

        return response;
    }

    private AuthenticationHeaderValue? CurrentAuthorization(string tokenKey, string basicKey, SourceCredentials? credentials)
    {
        if (_tokens.TryGetValue(tokenKey, out var cached) && cached.ExpiresAt > _time.GetUtcNow())
        {
            return new AuthenticationHeaderValue("Bearer", cached.Token);
        }

        if (credentials?.Username is not null && _basicRegistries.ContainsKey(basicKey))
        {
            return BasicHeader(credentials);
        }

        return null;
    }

    private async Task<HttpResponseMessage> SendOnceAsync(
        OciRepositoryReference repository,
        Func<HttpRequestMessage> createRequest,
        SourceCredentials? credentials,
        AuthenticationHeaderValue? authorization,
        HttpCompletionOption completion,
        CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = createRequest();
        request.Headers.Authorization = authorization;
        try
        {
            return await _tls.Select(_http, credentials).SendAsync(request, completion, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SourceException($"{repository}: the registry did not answer within {_options.RequestTimeout}.") { Kind = SourceErrorKind.Timeout };
        }
        catch (HttpRequestException ex) when (ex.InnerException is System.Security.Authentication.AuthenticationException)
        {
            throw new SourceException($"{repository}: the registry's TLS certificate is not trusted (set CaCertificatePem or InsecureSkipTlsVerify in the source's credentials): {ex.InnerException.Message}", ex) { Kind = SourceErrorKind.Unreachable };
        }
        catch (HttpRequestException ex)
        {
            throw new SourceException($"{repository}: the registry is unreachable: {ex.Message}", ex) { Kind = SourceErrorKind.Unreachable };
        }
    }

    private async Task<AuthenticationHeaderValue> FetchTokenAsync(
        OciRepositoryReference repository,
        string realm,
        string? service,
        IReadOnlyList<string> scopes,
        SourceCredentials? credentials,
        string tokenKey,
        CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(realm, UriKind.Absolute, out var realmUri)
            || (realmUri.Scheme != Uri.UriSchemeHttps && !(realmUri.Scheme == Uri.UriSchemeHttp && _options.IsPlainHttp(repository.Registry))))
        {
            throw new SourceException($"{repository}: the registry's token realm '{SafeUrl.Redact(realm)}' is not an HTTPS URL; refusing to send credentials there.") { Kind = SourceErrorKind.Unauthorized };
        }

        var query = new StringBuilder(realmUri.Query.Length > 0 ? realmUri.Query[1..] + "&" : string.Empty);
        if (service is not null)
        {
            query.Append("service=").Append(Uri.EscapeDataString(service)).Append('&');
        }

        query.AppendJoin('&', scopes.Select(s => "scope=" + Uri.EscapeDataString(s)));
        var scope = string.Join(' ', scopes);
        var tokenUri = new UriBuilder(realmUri) { Query = query.ToString() }.Uri;

        using var response = await SendOnceAsync(
            repository,
            () => new HttpRequestMessage(HttpMethod.Get, tokenUri),
            credentials,
            credentials?.Username is not null ? BasicHeader(credentials) : null,
            HttpCompletionOption.ResponseContentRead,
            cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw Unauthorized(repository, credentials);
        }

        await EnsureSuccessAsync(response, repository, "token request", cancellationToken).ConfigureAwait(false);
        var bytes = await ReadLimitedAsync(response, 1024 * 1024, $"{repository} token", cancellationToken).ConfigureAwait(false);
        string? token;
        var lifetime = DefaultTokenLifetime;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            token = root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()
                : root.TryGetProperty("access_token", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()
                : null;
            if (root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var seconds) && seconds > 0)
            {
                lifetime = TimeSpan.FromSeconds(seconds);
            }
        }
        catch (JsonException ex)
        {
            throw new SourceException($"{repository}: the token endpoint answered with invalid JSON.", ex) { Kind = SourceErrorKind.Unauthorized };
        }

        if (string.IsNullOrEmpty(token))
        {
            throw new SourceException($"{repository}: the token endpoint answered without a token.") { Kind = SourceErrorKind.Unauthorized };
        }

        // Renew a little early so a token never expires between the check and the request.
        var margin = TimeSpan.FromTicks(Math.Min(lifetime.Ticks / 10, TimeSpan.FromSeconds(30).Ticks));
        _tokens[tokenKey] = new CachedToken(token, _time.GetUtcNow() + lifetime - margin);
        Log.TokenFetched(_logger, repository.Registry, scope, lifetime);
        return new AuthenticationHeaderValue("Bearer", token);
    }

    private static string TokenKey(string registry, string scope, SourceCredentials? credentials)
    {
        // Different secrets for the same user must not share tokens; hash them rather than keep them as keys.
        var identity = credentials is null
            ? string.Empty
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{credentials.Username}\n{credentials.Password}\n{credentials.BearerToken}")));
        return $"{registry}\n{scope}\n{identity}";
    }

    private static AuthenticationHeaderValue BasicHeader(SourceCredentials credentials) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}")));

    private static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, long limit, string what, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16384];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw Integrity($"{what}: the response is larger than the limit of {limit} bytes");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, OciRepositoryReference repository, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var detail = string.Empty;
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                detail = string.Join("; ", errors.EnumerateArray().Select(e =>
                    $"{(e.TryGetProperty("code", out var c) ? c.GetString() : "?")}: {(e.TryGetProperty("message", out var m) ? m.GetString() : string.Empty)}"));
            }
        }
        catch (JsonException)
        {
        }

        if (detail.Length > MaxErrorBodyChars)
        {
            detail = detail[..MaxErrorBodyChars];
        }

        var kind = response.StatusCode switch
        {
            HttpStatusCode.NotFound => SourceErrorKind.RefNotFound,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => SourceErrorKind.Unauthorized,
            HttpStatusCode.RequestTimeout or HttpStatusCode.GatewayTimeout => SourceErrorKind.Timeout,
            HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable => SourceErrorKind.Unreachable,
            _ => SourceErrorKind.Other,
        };
        throw new SourceException($"{repository}: {what} failed with HTTP {(int)response.StatusCode}{(detail.Length > 0 ? " (" + detail + ")" : string.Empty)}.") { Kind = kind };
    }

    private static OciManifest ParseManifest(byte[] bytes, string digest, string? contentType, string what)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Integrity($"{what}: the manifest is not a JSON object");
            }

            var mediaType = root.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String ? mt.GetString() : null;
            var manifests = ReadDescriptors(root, "manifests", what);
            var layers = ReadDescriptors(root, "layers", what);
            var config = root.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object ? ReadDescriptor(c, what) : null;

            // Helm leaves mediaType out of the manifests it pushes; infer it from the content type, then the shape.
            mediaType ??= contentType is OciMediaTypes.ImageManifest or OciMediaTypes.ImageIndex or OciMediaTypes.DockerManifest or OciMediaTypes.DockerManifestList
                ? contentType
                : root.TryGetProperty("manifests", out _) ? OciMediaTypes.ImageIndex : OciMediaTypes.ImageManifest;

            return new OciManifest
            {
                Descriptor = new OciDescriptor(mediaType, digest, bytes.Length),
                Config = config,
                Layers = layers,
                Manifests = manifests,
                Annotations = ReadAnnotations(root),
                Content = bytes,
            };
        }
        catch (JsonException ex)
        {
            throw new SourceException($"{what}: the manifest is not valid JSON: {ex.Message}", ex) { Kind = SourceErrorKind.Integrity };
        }
    }

    private static List<OciDescriptor> ReadDescriptors(JsonElement root, string property, string what)
    {
        var list = new List<OciDescriptor>();
        if (root.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in array.EnumerateArray())
            {
                list.Add(ReadDescriptor(item, what));
            }
        }

        return list;
    }

    private static OciDescriptor ReadDescriptor(JsonElement element, string what)
    {
        var mediaType = element.TryGetProperty("mediaType", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? string.Empty : string.Empty;
        var digest = element.TryGetProperty("digest", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        if (!IsValidDigest(digest))
        {
            throw Integrity($"{what}: a descriptor has an invalid digest '{digest}'");
        }

        if (!element.TryGetProperty("size", out var s) || !s.TryGetInt64(out var size) || size < 0)
        {
            throw Integrity($"{what}: descriptor {digest} has no valid size");
        }

        return new OciDescriptor(mediaType, digest!, size)
        {
            Annotations = ReadAnnotations(element),
            ArtifactType = element.TryGetProperty("artifactType", out var at) && at.ValueKind == JsonValueKind.String ? at.GetString() : null,
        };
    }

    private static Dictionary<string, string> ReadAnnotations(JsonElement element)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in annotations.EnumerateObject())
            {
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    result[property.Name] = property.Value.GetString()!;
                }
            }
        }

        return result;
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

    private sealed record CachedToken(string Token, DateTimeOffset ExpiresAt);
}
