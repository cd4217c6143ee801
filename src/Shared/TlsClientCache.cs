using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GitOps.Sdk.Shared;

/// <summary>
/// HTTP clients for sources whose credentials carry TLS settings (<see cref="SourceCredentials.CaCertificatePem"/>,
/// <see cref="SourceCredentials.InsecureSkipTlsVerify"/>): one pooled client per distinct setting. Sources without TLS
/// settings use the shared client.
/// </summary>
internal sealed class TlsClientCache : IDisposable
{
    private readonly ConcurrentDictionary<(string? Ca, bool Insecure), HttpClient> _clients = new();

    public static bool HasTlsSettings(SourceCredentials? credentials) =>
        credentials is not null && (credentials.InsecureSkipTlsVerify || !string.IsNullOrWhiteSpace(credentials.CaCertificatePem));

    public HttpClient Select(HttpClient shared, SourceCredentials? credentials) =>
        HasTlsSettings(credentials)
            ? _clients.GetOrAdd((credentials!.CaCertificatePem, credentials.InsecureSkipTlsVerify), Create)
            : shared;

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _clients.Clear();
    }

    private static HttpClient Create((string? Ca, bool Insecure) key)
    {
        X509Certificate2Collection? roots = null;
        if (!key.Insecure && !string.IsNullOrWhiteSpace(key.Ca))
        {
            roots = [];
            try
            {
                roots.ImportFromPem(key.Ca);
            }
            catch (CryptographicException ex)
            {
                throw new SourceException("The CaCertificatePem in the source's credentials is not valid PEM.", ex) { Kind = SourceErrorKind.Other };
            }

            if (roots.Count == 0)
            {
                throw new SourceException("The CaCertificatePem in the source's credentials holds no certificate.") { Kind = SourceErrorKind.Other };
            }
        }

        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(certificate, chain, errors, roots, key.Insecure),
            },
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static bool Validate(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2Collection? roots, bool insecure)
    {
        if (insecure || errors == SslPolicyErrors.None)
        {
            return true;
        }

        // Only an unknown issuer is forgiven, and only when the chain ends at one of the configured authorities.
        if (roots is null || certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return custom.Build(leaf);
    }
}
