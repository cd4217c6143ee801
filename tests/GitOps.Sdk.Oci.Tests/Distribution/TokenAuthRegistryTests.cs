using GitOps.Sdk.Oci.Distribution;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Oci;

namespace GitOps.Sdk.Oci.Tests.Distribution;

/// <summary>The bearer challenge flow against the real registry configured for token auth, with a JWT-issuing token server.</summary>
public sealed class TokenAuthRegistryTests(TokenAuthRegistryTests.Fixture fixture) : IClassFixture<TokenAuthRegistryTests.Fixture>
{
    [Fact]
    public async Task FetchAsync_ChartPushedByHelmThroughTokenAuth_FetchesWithOneTokenPerScope()
    {
        await fixture.Registries.PushChartAsync(fixture.Registry, "tokened", "1.0.0");
        var credentials = new SourceCredentials { Username = fixture.Tokens.Username, Password = fixture.Tokens.Password };
        var (provider, _, http) = RegistryFixture.CreateProvider(fixture.Registries.Options(fixture.Registry), credentials);
        var source = new SourceReference { Url = $"oci://{fixture.Registry.Address}/tokened/web", Ref = "1.0.0" };
        var before = fixture.Tokens.Requests.Count;

        var artifact = await provider.FetchAsync(source, CancellationToken.None);
        await provider.ResolveAsync(source, CancellationToken.None);
        await provider.ResolveAsync(source, CancellationToken.None);

        artifact.ArtifactKind.Should().Be(ArtifactKinds.HelmChart);
        artifact.Revision.Should().StartWith("1.0.0@sha256:");
        var ours = fixture.Tokens.Requests.Skip(before).ToList();
        ours.Should().ContainSingle("the token for repository:tokened/web:pull is cached until it expires")
            .Which.Should().Match<TokenRequest>(r => r.User == fixture.Tokens.Username && r.Service == fixture.Tokens.Service && r.Scopes.Contains("repository:tokened/web:pull"));
        http.Requests.Should().NotContain(r => r.Contains("/token", StringComparison.Ordinal) && r.Contains("password", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task PushBlobAsync_TokenAuth_AsksForPullAndPush()
    {
        var credentials = new SourceCredentials { Username = fixture.Tokens.Username, Password = fixture.Tokens.Password };
        var (provider, client, _) = RegistryFixture.CreateProvider(fixture.Registries.Options(fixture.Registry), credentials);
        var repository = new OciRepositoryReference(fixture.Registry.Address, "tokened/bundle");

        var pushed = await RegistryFixture.PushBundleAsync(client, repository, "v1", new Dictionary<string, string> { ["cm.yaml"] = "kind: ConfigMap" }, credentials);
        var artifact = await provider.FetchAsync(new SourceReference { Url = repository.ToString(), Ref = "v1" }, CancellationToken.None);

        artifact.Revision.Should().Be($"v1@{pushed.Digest}");
        // The registry builds its challenge scope from a Go map: the actions come as pull,push or push,pull.
        fixture.Tokens.Requests.Should().Contain(r => r.User == fixture.Tokens.Username && r.Scopes.Any(s =>
            s.StartsWith("repository:tokened/bundle:", StringComparison.Ordinal) && s.Contains("push", StringComparison.Ordinal) && s.Contains("pull", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ResolveAsync_WrongPasswordOrAnonymous_IsUnauthorized()
    {
        await fixture.Registries.PushChartAsync(fixture.Registry, "tokened-private", "1.0.0");
        var source = new SourceReference { Url = $"oci://{fixture.Registry.Address}/tokened-private/web", Ref = "1.0.0" };

        var (wrong, _, _) = RegistryFixture.CreateProvider(fixture.Registries.Options(fixture.Registry), new SourceCredentials { Username = fixture.Tokens.Username, Password = "not-the-password" });
        var wrongAct = () => wrong.ResolveAsync(source, CancellationToken.None).AsTask();
        var error = (await wrongAct.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Unauthorized);
        error.Message.Should().NotContain("not-the-password");

        var (anonymous, _, _) = RegistryFixture.CreateProvider(fixture.Registries.Options(fixture.Registry), null);
        var anonymousAct = () => anonymous.ResolveAsync(source, CancellationToken.None).AsTask();
        (await anonymousAct.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.Unauthorized);
    }

    public sealed class Fixture : IAsyncLifetime
    {
        public TokenAuthServer Tokens { get; } = new("robot", "t0ken-Secret");

        public RegistryServer Registry { get; private set; } = null!;

        public RegistryFixture Registries { get; } = new();

        public async Task InitializeAsync()
        {
            Registry = await RegistryServer.StartWithTokenAuthAsync(Tokens);
            await Registries.InitializeChartOnlyAsync();
        }

        public async Task DisposeAsync()
        {
            if (Registry is not null)
            {
                await Registry.DisposeAsync();
            }

            await Registries.DisposeAsync();
            Tokens.Dispose();
        }
    }
}
