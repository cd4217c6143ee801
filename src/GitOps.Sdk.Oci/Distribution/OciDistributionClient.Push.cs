using System.Net.Http.Headers;

namespace GitOps.Sdk.Oci.Distribution;

/// <content>Uploads (blobs and manifests): used by tests and tooling that publish artifacts; the engine only pulls.</content>
public sealed partial class OciDistributionClient
{
    /// <summary>Uploads a blob (monolithic <c>POST</c> + <c>PUT</c>) unless the registry already has it.</summary>
    /// <param name="repository">The repository.</param>
    /// <param name="content">The bytes.</param>
    /// <param name="mediaType">The media type to put in the returned descriptor.</param>
    /// <param name="credentials">Credentials, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The descriptor to reference from a manifest.</returns>
    /// <exception cref="SourceException">The registry refused the upload.</exception>
    internal async Task<OciDescriptor> PushBlobAsync(OciRepositoryReference repository, ReadOnlyMemory<byte> content, string mediaType, SourceCredentials? credentials, CancellationToken cancellationToken)
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
    internal async Task<OciDescriptor> PushManifestAsync(OciRepositoryReference repository, string reference, string mediaType, ReadOnlyMemory<byte> content, SourceCredentials? credentials, CancellationToken cancellationToken)
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
}
