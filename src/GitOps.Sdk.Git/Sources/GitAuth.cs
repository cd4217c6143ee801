using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using LibGit2Sharp;
using LibGit2Sharp.Handlers;

namespace GitOps.Sdk.Git;

/// <summary>
/// The credentials for one operation against one repository, turned into what libgit2 and the HTTP client need;
/// remembers whether the server refused them so that the failure is reported as <see cref="SourceErrorKind.Unauthorized"/>.
/// </summary>
internal sealed class GitAuth
{
    private int attempts;

    public GitAuth(GitUrl url, SourceCredentials? credentials)
    {
        Url = url;
        Credentials = credentials;
        var user = credentials?.Username ?? url.UrlUserName;
        var password = credentials?.Password ?? (credentials?.BearerToken is null ? url.UrlPassword : null);
        UserName = user;
        Password = password;
    }

    public GitUrl Url { get; }

    public SourceCredentials? Credentials { get; }

    public string? UserName { get; }

    public string? Password { get; }

    public string? BearerToken => Credentials?.BearerToken;

    /// <summary>Gets a value indicating whether the server asked for credentials more than once (it refused them) or we had none.</summary>
    public bool Refused { get; private set; }

    /// <summary>Gets the secrets to scrub from any text that leaves the provider.</summary>
    public IEnumerable<string> Secrets
    {
        get
        {
            foreach (var s in new[] { Password, BearerToken, Credentials?.SshPassphrase, Url.UrlPassword })
            {
                if (!string.IsNullOrEmpty(s))
                {
                    yield return s;
                }
            }
        }
    }

    /// <summary>Gets the <c>Authorization</c> header value for HTTP, or <see langword="null"/>.</summary>
    public string? AuthorizationHeader =>
        BearerToken is { Length: > 0 } token ? "Bearer " + token
        : Password is not null || UserName is not null
            ? "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{UserName}:{Password}"))
            : null;

    /// <summary>Gets extra HTTP headers for libgit2 (a bearer token cannot travel as a libgit2 credential).</summary>
    public string[] CustomHeaders => BearerToken is { Length: > 0 } token ? [$"Authorization: Bearer {token}"] : [];

    /// <summary>Returns the libgit2 credentials callback: answers once, and reports a second request as a refusal.</summary>
    public CredentialsHandler CredentialsHandler => (_, usernameFromUrl, types) =>
    {
        if (Interlocked.Increment(ref attempts) > 1 || (UserName is null && Password is null))
        {
            Refused = true;
            throw new GitAuthRefusedException();
        }

        return new UsernamePasswordCredentials { Username = UserName ?? usernameFromUrl ?? string.Empty, Password = Password ?? string.Empty };
    };

    /// <summary>Gets a value indicating whether TLS certificates need a check of ours (extra CA or skip).</summary>
    public bool HasTlsSettings => Credentials is { InsecureSkipTlsVerify: true } || !string.IsNullOrWhiteSpace(Credentials?.CaCertificatePem);

    /// <summary>Returns the libgit2 certificate callback (accepts what libgit2 accepted, plus certificates issued by the extra CA).</summary>
    public CertificateCheckHandler CertificateCheck => (certificate, valid, host) =>
    {
        if (valid || Credentials is { InsecureSkipTlsVerify: true })
        {
            return true;
        }

        if (certificate is CertificateX509 { Certificate: { } x509 } && Credentials?.CaCertificatePem is { Length: > 0 } pem)
        {
            using var cert = X509CertificateLoader.LoadCertificate(x509.GetRawCertData());
            return ChainsTo(cert, pem) && cert.MatchesHostname(host);
        }

        return false;
    };

    /// <summary>Validates a server certificate for the HTTP client.</summary>
    public static bool ValidateServerCertificate(X509Certificate2 certificate, SslPolicyErrors errors, string? caPem, bool insecure)
    {
        if (insecure || errors == SslPolicyErrors.None)
        {
            return true;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || string.IsNullOrWhiteSpace(caPem))
        {
            return false;
        }

        return ChainsTo(certificate, caPem);
    }

    private static bool ChainsTo(X509Certificate2 certificate, string caPem)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(caPem);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        try
        {
            return chain.Build(certificate);
        }
        finally
        {
            foreach (var root in roots)
            {
                root.Dispose();
            }
        }
    }
}

/// <summary>Thrown inside the libgit2 credentials callback to stop an authentication loop.</summary>
internal sealed class GitAuthRefusedException : Exception
{
    public GitAuthRefusedException()
        : base("the server refused the credentials")
    {
    }

    public GitAuthRefusedException(string message)
        : base(message)
    {
    }

    public GitAuthRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
