using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Git.Tests.Sources;

public sealed class GitSourceHttpsTests : IAsyncLifetime
{
    private readonly TempDirectory temp = new("gitops-git-https");
    private readonly TestCertificates certificates = TestCertificates.Create();
    private GitHttpServer server = null!;
    private GitTestRepository repo = null!;

    public async Task InitializeAsync()
    {
        var root = temp.Combine("served");
        Directory.CreateDirectory(root);
        repo = await GitTestRepository.CreateAsync(root, "tls");
        repo.Write("deploy/app.yaml", "kind: ConfigMap\n");
        await repo.CommitAndPushAsync("initial");
        server = await GitHttpServer.StartAsync(new GitHttpServerOptions { Root = root, Certificate = certificates.Server, UserName = "deploy", Password = "pw-123456" });
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        certificates.Dispose();
        temp.Dispose();
    }

    [Fact]
    public async Task FetchAsync_CustomCertificateAuthority_TrustsTheServer()
    {
        using var provider = Provider(new SourceCredentials { Username = "deploy", Password = "pw-123456", CaCertificatePem = certificates.AuthorityPem });

        var artifact = await provider.FetchAsync(Source(), default);

        artifact.Revision.Should().Be($"main@sha1:{await repo.HeadAsync()}");
        server.UploadPackRequests.Should().BePositive();
    }

    [Fact]
    public async Task FetchAsync_InsecureSkipTlsVerify_AcceptsTheServer()
    {
        using var provider = Provider(new SourceCredentials { Username = "deploy", Password = "pw-123456", InsecureSkipTlsVerify = true });

        var artifact = await provider.FetchAsync(Source(), default);

        artifact.Digest.Should().StartWith("sha256:");
    }

    [Fact]
    public async Task ResolveAsync_UntrustedCertificate_ThrowsNamingTheCertificateProblem()
    {
        using var provider = Provider(new SourceCredentials { Username = "deploy", Password = "pw-123456" });

        var act = async () => await provider.ResolveAsync(Source(), default);

        (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain("certificate").And.Contain(server.UrlOf("tls"));
    }

    private GitSourceProvider Provider(SourceCredentials credentials)
    {
        var options = new GitSourceOptions { CacheDirectory = temp.Combine("cache-" + Guid.NewGuid().ToString("N")) };
        options.Credentials["tls"] = credentials;
        return new GitSourceProvider(Options.Create(options));
    }

    private SourceReference Source() => new() { Url = server.UrlOf("tls"), Ref = "main", CredentialsName = "tls" };
}
