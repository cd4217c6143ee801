using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace GitOps.Sdk.Testing.Emulator;

/// <summary>How clients reach the emulator: a self-signed certificate for 127.0.0.1 when TLS is on, and the kubeconfig that points at it.</summary>
internal static class EmulatorConnection
{
    /// <summary>Returns a kubeconfig with one cluster, user and context named <c>emulator</c> (namespace <c>default</c>).</summary>
    public static string Kubeconfig(Uri baseAddress, X509Certificate2? certificate)
    {
        var server = baseAddress.ToString().TrimEnd('/');
        var ca = certificate is null
            ? string.Empty
            : "    certificate-authority-data: " + Convert.ToBase64String(Encoding.ASCII.GetBytes(certificate.ExportCertificatePem())) + "\n";
        return
            "apiVersion: v1\n" +
            "kind: Config\n" +
            "clusters:\n" +
            "- name: emulator\n" +
            "  cluster:\n" +
            $"    server: {server}\n" +
            ca +
            "contexts:\n" +
            "- name: emulator\n" +
            "  context:\n" +
            "    cluster: emulator\n" +
            "    user: emulator\n" +
            "    namespace: default\n" +
            "current-context: emulator\n" +
            "users:\n" +
            "- name: emulator\n" +
            "  user:\n" +
            "    token: emulator\n";
    }

    /// <summary>Creates a self-signed certificate for 127.0.0.1 and localhost, valid for a year.</summary>
    public static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=gitops-emulator", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }
}
