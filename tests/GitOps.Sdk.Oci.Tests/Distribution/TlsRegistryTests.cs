using GitOps.Sdk.Oci.Distribution;
using GitOps.Sdk.TestUtilities.Git;
using GitOps.Sdk.TestUtilities.Oci;

namespace GitOps.Sdk.Oci.Tests.Distribution;

/// <summary>The real registry serving HTTPS with a certificate from a private authority.</summary>
public sealed class TlsRegistryTests : IAsyncLifetime
{
    private readonly TestCertificates _certificates = TestCertificates.Create();
    private readonly GitOps.Sdk.TestUtilities.TempDirectory _cache = new("oci-tls");
    private RegistryServer _registry = null!;

    public async Task InitializeAsync() => _registry = await RegistryServer.StartWithTlsAsync(_certificates);

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        _certificates.Dispose();
        _cache.Dispose();
    }

    [Fact]
    public async Task FetchAsync_PrivateAuthorityInCredentials_TrustsTheRegistry()
    {
        var credentials = new SourceCredentials { CaCertificatePem = _certificates.AuthorityPem };
        var (provider, client, _) = RegistryFixture.CreateProvider(Options(), credentials);
        var repository = new OciRepositoryReference(_registry.Address, "secure/bundle");
        var pushed = await RegistryFixture.PushBundleAsync(client, repository, "v1", new Dictionary<string, string> { ["cm.yaml"] = "kind: ConfigMap" }, credentials);

        var artifact = await provider.FetchAsync(new SourceReference { Url = repository.ToString(), Ref = "v1" }, CancellationToken.None);

        artifact.Revision.Should().Be($"v1@{pushed.Digest}");
    }

    [Fact]
    public async Task ResolveAsync_UnknownAuthority_IsRefusedWithAHint()
    {
        var (provider, _, _) = RegistryFixture.CreateProvider(Options(), null);

        var act = () => provider.ResolveAsync(new SourceReference { Url = $"oci://{_registry.Address}/secure/bundle", Ref = "v1" }, CancellationToken.None).AsTask();

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Unreachable);
        error.Message.Should().Contain("not trusted").And.Contain("CaCertificatePem");
    }

    [Fact]
    public async Task ResolveAsync_OtherAuthorityInCredentials_IsRefused()
    {
        using var other = TestCertificates.Create();
        var (provider, _, _) = RegistryFixture.CreateProvider(Options(), new SourceCredentials { CaCertificatePem = other.AuthorityPem });

        var act = () => provider.ResolveAsync(new SourceReference { Url = $"oci://{_registry.Address}/secure/bundle", Ref = "v1" }, CancellationToken.None).AsTask();

        (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain("not trusted");
    }

    [Fact]
    public async Task ResolveAsync_InsecureSkipTlsVerify_ReachesTheRegistry()
    {
        var (provider, _, _) = RegistryFixture.CreateProvider(Options(), new SourceCredentials { InsecureSkipTlsVerify = true });

        var act = () => provider.ResolveAsync(new SourceReference { Url = $"oci://{_registry.Address}/secure/missing", Ref = "v1" }, CancellationToken.None).AsTask();

        // Reaching the registry at all shows the handshake passed: the answer is the registry's 404.
        (await act.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.RefNotFound);
    }

    private OciOptions Options() => new() { CacheDirectory = _cache.Combine(Guid.NewGuid().ToString("N")) };
}
