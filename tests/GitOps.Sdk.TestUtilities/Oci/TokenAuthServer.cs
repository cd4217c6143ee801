using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace GitOps.Sdk.TestUtilities.Oci;

/// <summary>
/// A Docker-style token server (the distribution "token authentication" spec) on 127.0.0.1: checks basic credentials
/// and issues RS256 JWTs carrying an <c>x5c</c> chain of a self-signed certificate that the registry trusts through its
/// <c>rootcertbundle</c>. Lets a real <see cref="RegistryServer"/> run the bearer challenge flow.
/// </summary>
public sealed class TokenAuthServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly RSA _key = RSA.Create(2048);
    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentQueue<TokenRequest> _requests = new();

    /// <summary>Initializes a new instance and starts listening.</summary>
    /// <param name="username">The only user.</param>
    /// <param name="password">The user's password.</param>
    /// <param name="tokenLifetime">How long issued tokens live. <value>Default: 5 minutes.</value></param>
    public TokenAuthServer(string username, string password, TimeSpan? tokenLifetime = null)
    {
        Username = username;
        Password = password;
        TokenLifetime = tokenLifetime ?? TimeSpan.FromMinutes(5);
        var request = new CertificateRequest("CN=gitops-test-token-issuer", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        Port = FreePort.Next();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Gets the issuer name the registry must trust.</summary>
    public string Issuer => "gitops-test-issuer";

    /// <summary>Gets the service (audience) name the registry announces.</summary>
    public string Service => "gitops-test-registry";

    /// <summary>Gets the user.</summary>
    public string Username { get; }

    /// <summary>Gets the password.</summary>
    public string Password { get; }

    /// <summary>Gets the lifetime of issued tokens.</summary>
    public TimeSpan TokenLifetime { get; }

    /// <summary>Gets the port.</summary>
    public int Port { get; }

    /// <summary>Gets the token endpoint (<c>realm</c>).</summary>
    public string Realm => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/token";

    /// <summary>Gets the PEM of the signing certificate, for the registry's <c>rootcertbundle</c>.</summary>
    public string CertificatePem => _certificate.ExportCertificatePem();

    /// <summary>Gets every token request so far.</summary>
    public IReadOnlyList<TokenRequest> Requests => [.. _requests];

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _certificate.Dispose();
        _key.Dispose();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => Serve(context));
        }
    }

    private void Serve(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var query = System.Web.HttpUtility.ParseQueryString(context.Request.Url!.Query);
            var scopes = query.GetValues("scope") ?? [];
            var user = AuthenticatedUser(context.Request.Headers["Authorization"], out var presented);
            _requests.Enqueue(new TokenRequest(query["service"], [.. scopes], user, presented));
            if (presented && user is null)
            {
                response.StatusCode = 401;
                return;
            }

            // Authenticated users get what they ask for; anonymous callers get a token without access.
            var access = user is null ? [] : scopes.Select(ParseScope).Where(a => a is not null).ToList();
            var now = DateTimeOffset.UtcNow;
            var claims = new Dictionary<string, object?>
            {
                ["iss"] = Issuer,
                ["sub"] = user ?? string.Empty,
                ["aud"] = Service,
                ["exp"] = (now + TokenLifetime).ToUnixTimeSeconds(),
                ["nbf"] = now.AddSeconds(-5).ToUnixTimeSeconds(),
                ["iat"] = now.ToUnixTimeSeconds(),
                ["jti"] = Guid.NewGuid().ToString("N"),
                ["access"] = access,
            };
            var header = new Dictionary<string, object>
            {
                ["typ"] = "JWT",
                ["alg"] = "RS256",
                ["x5c"] = new[] { Convert.ToBase64String(_certificate.RawData) },
            };
            var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
            var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var token = signingInput + "." + Base64Url(signature);
            var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
            {
                ["token"] = token,
                ["access_token"] = token,
                ["expires_in"] = (int)TokenLifetime.TotalSeconds,
                ["issued_at"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            });
            response.StatusCode = 200;
            response.ContentType = "application/json";
            response.ContentLength64 = body.Length;
            response.OutputStream.Write(body);
        }
        catch (HttpListenerException)
        {
        }
        finally
        {
            try
            {
                response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or InvalidOperationException or ObjectDisposedException)
            {
            }
        }
    }

    private string? AuthenticatedUser(string? header, out bool presented)
    {
        presented = header is not null;
        if (header is null || !header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..]));
            return decoded == $"{Username}:{Password}" ? Username : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static Dictionary<string, object>? ParseScope(string scope)
    {
        // repository:name/with/slashes:pull,push
        var first = scope.IndexOf(':', StringComparison.Ordinal);
        var last = scope.LastIndexOf(':');
        if (first < 0 || last <= first)
        {
            return null;
        }

        return new Dictionary<string, object>
        {
            ["type"] = scope[..first],
            ["name"] = scope[(first + 1)..last],
            ["actions"] = scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries),
        };
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>One request to the token server.</summary>
/// <param name="Service">The <c>service</c> parameter.</param>
/// <param name="Scopes">The <c>scope</c> parameters.</param>
/// <param name="User">The authenticated user, or <see langword="null"/>.</param>
/// <param name="PresentedCredentials">Whether an <c>Authorization</c> header came with it.</param>
public sealed record TokenRequest(string? Service, IReadOnlyList<string> Scopes, string? User, bool PresentedCredentials);
