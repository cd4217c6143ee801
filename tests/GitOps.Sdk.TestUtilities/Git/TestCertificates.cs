using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GitOps.Sdk.TestUtilities.Git;

/// <summary>A private certificate authority and a server certificate for 127.0.0.1 it issued, for HTTPS tests.</summary>
public sealed class TestCertificates : IDisposable
{
    private TestCertificates(X509Certificate2 ca, X509Certificate2 server)
    {
        Authority = ca;
        Server = server;
    }

    /// <summary>Gets the authority (with its private key).</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>Gets the server certificate for <c>127.0.0.1</c> and <c>localhost</c> (with its private key).</summary>
    public X509Certificate2 Server { get; }

    /// <summary>Gets the authority's certificate in PEM.</summary>
    public string AuthorityPem => Authority.ExportCertificatePem();

    /// <summary>Creates a fresh authority and server certificate.</summary>
    /// <returns>The certificates.</returns>
    public static TestCertificates Create()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=GitOps.Sdk Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var issued = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), [1, 2, 3, 4, 5, 6, 7, 8]);
        using var withKey = issued.CopyWithPrivateKey(serverKey);

        // Kestrel wants a certificate whose key it can use on every platform: round-trip through PKCS#12.
        var server = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return new TestCertificates(ca, server);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Authority.Dispose();
        Server.Dispose();
    }
}
