using GitOps.Sdk.Shared;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace GitOps.Sdk.Helm.Sources;

/// <content>Chart archive download: the URL from the index, credentials for the repository's origin only, size limit and digest while it streams.</content>
public sealed partial class HelmRepositorySourceProvider
{
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
}
