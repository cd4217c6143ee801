using System.Net;
using GitOps.Sdk.Helm.Sources;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Helm.Tests.Sources;

/// <summary>A chart repository served over HTTPS (Kestrel) with a certificate from a private authority.</summary>
public sealed class HelmRepositoryTlsTests(HelmRepositoryFixture fixture) : IClassFixture<HelmRepositoryFixture>, IAsyncLifetime
{
    private readonly TestCertificates _certificates = TestCertificates.Create();
    private readonly TempDirectory _temp = new("helm-tls");
    private WebApplication _app = null!;
    private string _url = string.Empty;

    public async Task InitializeAsync()
    {
        var folder = await fixture.CreateRepositoryAsync(_temp.Combine("repo"), HelmRepositoryFixture.WebPackages("1.0.0"));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(_certificates.Server)));
        _app = builder.Build();
        _app.Run(async context =>
        {
            var file = Path.Combine(folder, Path.GetFileName(context.Request.Path.Value ?? string.Empty));
            if (!File.Exists(file))
            {
                context.Response.StatusCode = 404;
                return;
            }

            await context.Response.SendFileAsync(file);
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _url = $"https://127.0.0.1:{new Uri(address).Port}";
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _certificates.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task FetchAsync_PrivateAuthorityInCredentials_TrustsTheRepository()
    {
        using var provider = Provider(new SourceCredentials { CaCertificatePem = _certificates.AuthorityPem });

        var artifact = await provider.FetchAsync(Source(), CancellationToken.None);

        artifact.Revision.Should().Be("1.0.0");
        File.Exists(Path.Combine(artifact.ContentDirectory, "Chart.yaml")).Should().BeTrue();
    }

    [Fact]
    public async Task ResolveAsync_UnknownAuthority_IsRefusedWithAHint()
    {
        using var provider = Provider(null);

        var act = () => provider.ResolveAsync(Source(), CancellationToken.None).AsTask();

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Unreachable);
        error.Message.Should().Contain("not trusted").And.Contain("CaCertificatePem");
    }

    [Fact]
    public async Task ResolveAsync_InsecureSkipTlsVerify_Works()
    {
        using var provider = Provider(new SourceCredentials { InsecureSkipTlsVerify = true });

        (await provider.ResolveAsync(Source(), CancellationToken.None)).Revision.Should().Be("1.0.0");
    }

    private SourceReference Source() => new() { Type = SourceTypes.HelmRepository, Url = _url, Chart = "web", Ref = "1.0.0" };

    private HelmRepositorySourceProvider Provider(SourceCredentials? credentials) =>
        new(new HttpClient(), Microsoft.Extensions.Options.Options.Create(new HelmRepositoryOptions { CacheDirectory = _temp.Combine("cache-" + Guid.NewGuid().ToString("N")) }), credentials: new Fixed(credentials));

    private sealed class Fixed(SourceCredentials? credentials) : ICredentialProvider
    {
        public ValueTask<SourceCredentials?> GetCredentialsAsync(SourceReference source, CancellationToken cancellationToken) => ValueTask.FromResult(credentials);
    }
}
