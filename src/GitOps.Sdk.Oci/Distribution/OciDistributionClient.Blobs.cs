using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace GitOps.Sdk.Oci.Distribution;

/// <content>Blob download with size and digest checks while it streams, and reading responses within limits.</content>
public sealed partial class OciDistributionClient
{
    private const int MaxErrorBodyChars = 2048;

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
}
