using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace GitOps.Sdk.Git;

/// <summary>
/// Reads a smart HTTP server's ref advertisement (<c>GET …/info/refs?service=git-upload-pack</c>, pkt-lines) —
/// the first half of <c>git ls-remote</c>, with no object transfer. Used instead of libgit2's ls-remote for HTTP(S)
/// because that call accepts neither extra headers (bearer tokens) nor a certificate callback (extra CAs), and
/// because it can be cancelled mid-request.
/// </summary>
internal sealed class SmartHttpRefLister : IDisposable
{
    private readonly ConcurrentDictionary<(string? Ca, bool Insecure), HttpClient> clients = new();

    /// <summary>Lists the refs, or returns <see langword="null"/> when the server does not speak the smart protocol.</summary>
    /// <exception cref="SourceException">The server is unreachable, refused the credentials or does not hold the repository.</exception>
    public async Task<RemoteRefs?> ListAsync(GitAuth auth, CancellationToken cancellationToken)
    {
        var client = clients.GetOrAdd((auth.Credentials?.CaCertificatePem, auth.Credentials?.InsecureSkipTlsVerify ?? false), CreateClient);
        var url = auth.Url.ConnectUrl.TrimEnd('/') + "/info/refs?service=git-upload-pack";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.UserAgent.ParseAdd("git/2.0 (GitOps.Sdk)");
        if (auth.AuthorizationHeader is { } authorization)
        {
            var space = authorization.IndexOf(' ', StringComparison.Ordinal);
            request.Headers.Authorization = new AuthenticationHeaderValue(authorization[..space], authorization[(space + 1)..]);
        }

        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is System.Security.Authentication.AuthenticationException)
        {
            throw new SourceException(
                $"git source {auth.Url.Display}: the server's TLS certificate is not trusted (set CaCertificatePem or InsecureSkipTlsVerify in its credentials): {GitErrors.Scrub(e.InnerException.Message, auth)}",
                e)
            {
                Kind = SourceErrorKind.Other,
            };
        }
        catch (HttpRequestException e)
        {
            throw new SourceException($"git source {auth.Url.Display}: the server cannot be reached ({GitErrors.Scrub(e.Message, auth)}).", e)
            {
                Kind = SourceErrorKind.Unreachable,
            };
        }

        using (response)
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                    throw new SourceException(
                        $"git source {auth.Url.Display}: the server refused the credentials (HTTP {(int)response.StatusCode}{DescribeCredentials(auth)}).")
                    {
                        Kind = SourceErrorKind.Unauthorized,
                    };
                case HttpStatusCode.NotFound:
                    throw new SourceException($"git source {auth.Url.Display}: repository not found (HTTP 404).") { Kind = SourceErrorKind.Other };
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new SourceException($"git source {auth.Url.Display}: HTTP {(int)response.StatusCode} {response.ReasonPhrase} from the server.")
                {
                    Kind = (int)response.StatusCode >= 500 ? SourceErrorKind.Unreachable : SourceErrorKind.Other,
                };
            }

            if (response.Content.Headers.ContentType?.MediaType != "application/x-git-upload-pack-advertisement")
            {
                return null;
            }

            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return Parse(body, auth.Url.Display);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var client in clients.Values)
        {
            client.Dispose();
        }

        clients.Clear();
    }

    /// <summary>Parses a smart HTTP v0 advertisement.</summary>
    internal static RemoteRefs Parse(ReadOnlySpan<byte> body, string display)
    {
        var refs = new RemoteRefs();
        var position = 0;
        var first = true;
        while (position + 4 <= body.Length)
        {
            if (!int.TryParse(Encoding.ASCII.GetString(body.Slice(position, 4)), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var length))
            {
                throw new SourceException($"git source {display}: the server sent a malformed ref advertisement.") { Kind = SourceErrorKind.Other };
            }

            if (length == 0)
            {
                position += 4;
                continue;
            }

            if (length < 4 || position + length > body.Length)
            {
                throw new SourceException($"git source {display}: the server sent a truncated ref advertisement.") { Kind = SourceErrorKind.Other };
            }

            var line = Encoding.UTF8.GetString(body.Slice(position + 4, length - 4)).TrimEnd('\n');
            position += length;
            if (line.StartsWith('#'))
            {
                continue;
            }

            var nul = line.IndexOf('\0', StringComparison.Ordinal);
            var capabilities = nul >= 0 ? line[(nul + 1)..] : null;
            if (nul >= 0)
            {
                line = line[..nul];
            }

            if (first && capabilities is not null)
            {
                foreach (var cap in capabilities.Split(' '))
                {
                    if (cap.StartsWith("symref=HEAD:", StringComparison.Ordinal))
                    {
                        refs.HeadTarget = cap["symref=HEAD:".Length..];
                    }
                }
            }

            first = false;
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space != 40)
            {
                continue;
            }

            var name = line[(space + 1)..];
            if (name == "capabilities^{}")
            {
                continue;
            }

            refs.Add(name, line[..40]);
        }

        return refs;
    }

    private static string DescribeCredentials(GitAuth auth) =>
        auth.BearerToken is not null ? ", bearer token"
        : auth.UserName is not null ? $", user '{auth.UserName}'"
        : ", no credentials configured";

    private static HttpClient CreateClient((string? Ca, bool Insecure) tls)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = TimeSpan.FromSeconds(15),
        };
        if (tls.Ca is not null || tls.Insecure)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is not null
                && GitAuth.ValidateServerCertificate(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()), errors, tls.Ca, tls.Insecure);
        }

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
