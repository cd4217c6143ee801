using GitOps.Sdk.Shared;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GitOps.Sdk.Oci.Distribution;

/// <content>Authentication: the challenge/response round trip (anonymous, basic, bearer token), the token cache and the single request with its timeout.</content>
public sealed partial class OciDistributionClient
{
    private static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(60);

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

    private sealed record CachedToken(string Token, DateTimeOffset ExpiresAt);
}
