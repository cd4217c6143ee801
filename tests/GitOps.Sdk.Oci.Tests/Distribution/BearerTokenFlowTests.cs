using System.Net;
using System.Text;
using GitOps.Sdk.Oci.Distribution;
using Microsoft.Extensions.Time.Testing;

namespace GitOps.Sdk.Oci.Tests.Distribution;

/// <summary>
/// The bearer challenge flow. Debian's registry 2.8 only does htpasswd (basic) without a separate JWT token server, so
/// this flow is exercised against a scripted registry + token endpoint that behaves like Docker Hub and GHCR.
/// </summary>
public sealed class BearerTokenFlowTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task ResolveAsync_BearerChallenge_FetchesTokenOncePerScopeUntilItExpires()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var registry = new ScriptedRegistry();
        var client = new OciDistributionClient(new HttpClient(registry), new OciOptions(), time);
        var repository = new OciRepositoryReference("registry.test", "team/app");
        var credentials = new SourceCredentials { Username = "robot", Password = "pa55" };

        (await client.ResolveAsync(repository, "1.0.0", credentials, CancellationToken.None)).Digest.Should().Be(Digest);
        (await client.ResolveAsync(repository, "1.0.0", credentials, CancellationToken.None)).Digest.Should().Be(Digest);
        registry.TokenRequests.Should().Be(1);

        time.Advance(TimeSpan.FromSeconds(301));
        await client.ResolveAsync(repository, "1.0.0", credentials, CancellationToken.None);

        registry.TokenRequests.Should().Be(2);
        registry.LastTokenQuery.Should().Contain("service=registry.test").And.Contain("scope=repository%3Ateam%2Fapp%3Apull");
        registry.BasicSentToRegistry.Should().BeFalse("the password goes to the token endpoint only");
        registry.TokenRequestHadBasic.Should().BeTrue();
    }

    [Fact]
    public async Task ResolveAsync_TokenEndpointRefusesCredentials_IsUnauthorizedWithoutTheSecret()
    {
        var registry = new ScriptedRegistry { RefuseTokens = true };
        var client = new OciDistributionClient(new HttpClient(registry), new OciOptions());

        var act = () => client.ResolveAsync(new OciRepositoryReference("registry.test", "team/app"), "1.0.0", new SourceCredentials { Username = "robot", Password = "wrong-secret" }, CancellationToken.None);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Unauthorized);
        error.Message.Should().NotContain("wrong-secret");
    }

    [Fact]
    public async Task ResolveAsync_AnonymousPull_GetsAnonymousToken()
    {
        var registry = new ScriptedRegistry();
        var client = new OciDistributionClient(new HttpClient(registry), new OciOptions());

        (await client.ResolveAsync(new OciRepositoryReference("registry.test", "team/app"), "1.0.0", null, CancellationToken.None)).Digest.Should().Be(Digest);

        registry.TokenRequestHadBasic.Should().BeFalse();
    }

    private sealed class ScriptedRegistry : HttpMessageHandler
    {
        public int TokenRequests { get; private set; }

        public string LastTokenQuery { get; private set; } = string.Empty;

        public bool BasicSentToRegistry { get; private set; }

        public bool TokenRequestHadBasic { get; private set; }

        public bool RefuseTokens { get; init; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            if (uri.Host == "auth.test")
            {
                TokenRequests++;
                LastTokenQuery = uri.Query;
                TokenRequestHadBasic = request.Headers.Authorization?.Scheme == "Basic";
                if (RefuseTokens)
                {
                    return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Unauthorized));
                }

                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
                {
                    Content = new StringContent($"{{\"token\":\"tok-{TokenRequests}\",\"expires_in\":300}}", Encoding.UTF8, "application/json"),
                });
            }

            uri.Scheme.Should().Be("https");
            if (request.Headers.Authorization?.Scheme == "Basic")
            {
                BasicSentToRegistry = true;
            }

            if (request.Headers.Authorization is not { Scheme: "Bearer" } auth || auth.Parameter != $"tok-{TokenRequests}")
            {
                var challenge = new HttpResponseMessage(HttpStatusCode.Unauthorized);
                challenge.Headers.WwwAuthenticate.ParseAdd("Bearer realm=\"https://auth.test/token\",service=\"registry.test\",scope=\"repository:team/app:pull\"");
                return Task.FromResult(challenge);
            }

            var ok = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
            ok.Headers.Add("Docker-Content-Digest", Digest);
            ok.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(OciMediaTypes.ImageManifest);
            return Task.FromResult(ok);
        }
    }
}
