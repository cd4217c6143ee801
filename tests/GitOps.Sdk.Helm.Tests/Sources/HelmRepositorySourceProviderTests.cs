using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using GitOps.Sdk.Helm.Sources;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Helm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Helm.Tests.Sources;

public sealed class HelmRepositorySourceProviderTests(HelmRepositoryFixture fixture) : IClassFixture<HelmRepositoryFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("helm-repo-test");
    private readonly List<IDisposable> _disposables = [];

    public void Dispose()
    {
        foreach (var d in _disposables)
        {
            d.Dispose();
        }

        _temp.Dispose();
    }

    [Theory]
    [InlineData("1.2.0", false, "1.2.0")]
    [InlineData("v1.2.5", false, "1.2.5")]
    [InlineData("^1.2", false, "1.3.0")]
    [InlineData("~1.2.0", false, "1.2.5")]
    [InlineData(">=1.0.0 <1.2.0", false, "1.0.0")]
    [InlineData(">=1.0.0, <2.0.0", false, "1.3.0")]
    [InlineData("*", false, "2.0.0")]
    [InlineData(null, false, "2.0.0")]
    [InlineData("*", true, "2.1.0-rc.1")]
    [InlineData("2.1.0-rc.1", false, "2.1.0-rc.1")]
    public async Task ResolveAsync_VersionOrConstraint_SelectsTheRightVersion(string? reference, bool prerelease, string expected)
    {
        var server = await ServeAsync(HelmRepositoryFixture.AllPackages());
        var provider = CreateProvider();

        var revision = await provider.ResolveAsync(Source(server, reference, prerelease), CancellationToken.None);

        revision.Revision.Should().Be(expected);
        revision.Id.Should().Be("sha256:" + Sha256(Path.Combine(server.RootDirectory, $"web-{expected}.tgz")));
    }

    [Fact]
    public async Task ResolveAsync_NoMatchingVersionOrChart_IsRefNotFound()
    {
        var server = await ServeAsync(HelmRepositoryFixture.AllPackages());
        var provider = CreateProvider();

        var version = () => provider.ResolveAsync(Source(server, "^3.0"), CancellationToken.None).AsTask();
        (await version.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.RefNotFound);

        var chart = () => provider.ResolveAsync(Source(server, "*") with { Chart = "missing" }, CancellationToken.None).AsTask();
        var error = (await chart.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.RefNotFound);
        error.Message.Should().Contain("missing");
    }

    [Fact]
    public async Task FetchAsync_RelativeChartUrl_DownloadsVerifiesAndExtractsTheChart()
    {
        var server = await ServeAsync(HelmRepositoryFixture.AllPackages());
        var provider = CreateProvider();

        var artifact = await provider.FetchAsync(Source(server, "~1.2"), CancellationToken.None);

        artifact.Revision.Should().Be("1.2.5");
        artifact.Digest.Should().Be("sha256:" + Sha256(Path.Combine(server.RootDirectory, "web-1.2.5.tgz")));
        artifact.ArtifactKind.Should().Be(ArtifactKinds.HelmChart);
        artifact.Path.Should().Be("web");
        File.ReadAllText(Path.Combine(artifact.ContentDirectory, "Chart.yaml")).Should().Contain("version: 1.2.5");
        File.Exists(Path.Combine(artifact.ContentDirectory, "templates", "service.yaml")).Should().BeTrue();
        artifact.Metadata["helm.chart"].Should().Be("web");
        artifact.Metadata["helm.version"].Should().Be("1.2.5");
        server.Requests.Should().Contain(r => r.Path == "/web-1.2.5.tgz" && r.Status == 200);
    }

    [Fact]
    public async Task FetchAsync_AbsoluteChartUrlInSubfolder_IsFollowed()
    {
        var root = _temp.Combine("abs");
        var server = Start(new ChartRepositoryServer(root));
        await fixture.CreateRepositoryAsync(Path.Combine(root, "stable"), HelmRepositoryFixture.WebPackages("1.0.0"), $"{server.Url}/stable/archives");
        Directory.CreateDirectory(Path.Combine(root, "stable", "archives"));
        File.Move(Path.Combine(root, "stable", "web-1.0.0.tgz"), Path.Combine(root, "stable", "archives", "web-1.0.0.tgz"));
        var provider = CreateProvider();

        var artifact = await provider.FetchAsync(new SourceReference { Type = SourceTypes.HelmRepository, Url = server.Url + "/stable/", Chart = "web", Ref = "1.0.0" }, CancellationToken.None);

        artifact.Revision.Should().Be("1.0.0");
        server.Requests.Should().Contain(r => r.Path == "/stable/archives/web-1.0.0.tgz" && r.Status == 200);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FetchAsync_UnchangedIndexAndVersion_DownloadsNothing(bool etags)
    {
        var server = await ServeAsync(HelmRepositoryFixture.AllPackages());
        server.SendETags = etags;
        var provider = CreateProvider();
        var source = Source(server, "^1.0");
        var first = await provider.FetchAsync(source, CancellationToken.None);

        var resolved = await provider.ResolveAsync(source, CancellationToken.None);
        var second = await provider.FetchAsync(source, CancellationToken.None);

        resolved.Revision.Should().Be(first.Revision);
        second.ContentDirectory.Should().Be(first.ContentDirectory);
        var indexRequests = server.Requests.Where(r => r.Path == "/index.yaml").ToList();
        indexRequests.Select(r => r.Status).Should().Equal(200, 304, 304);
        server.Requests.Count(r => r.Path.EndsWith(".tgz", StringComparison.Ordinal)).Should().Be(1);
    }

    [Fact]
    public async Task FetchAsync_NewVersionPublished_DownloadsOnlyTheNewChart()
    {
        var folder = _temp.Combine("growing");
        await fixture.CreateRepositoryAsync(folder, HelmRepositoryFixture.WebPackages("1.0.0", "1.2.0"));
        var server = Start(new ChartRepositoryServer(folder));
        var provider = CreateProvider();
        var source = Source(server, "^1.0");
        (await provider.FetchAsync(source, CancellationToken.None)).Revision.Should().Be("1.2.0");

        await fixture.CreateRepositoryAsync(folder, HelmRepositoryFixture.WebPackages("1.3.0"));
        var artifact = await provider.FetchAsync(source, CancellationToken.None);

        artifact.Revision.Should().Be("1.3.0");
        server.Requests.Where(r => r.Path.EndsWith(".tgz", StringComparison.Ordinal)).Select(r => r.Path).Should().Equal("/web-1.2.0.tgz", "/web-1.3.0.tgz");
    }

    [Fact]
    public async Task FetchAsync_ArchiveNotMatchingIndexDigest_IsRefusedAndNotCached()
    {
        var folder = _temp.Combine("tampered");
        await fixture.CreateRepositoryAsync(folder, HelmRepositoryFixture.WebPackages("1.0.0", "1.2.0"));
        File.Copy(Path.Combine(folder, "web-1.2.0.tgz"), Path.Combine(folder, "web-1.0.0.tgz"), overwrite: true);
        var server = Start(new ChartRepositoryServer(folder));
        var options = Options();
        var provider = CreateProvider(options);

        var act = () => provider.FetchAsync(Source(server, "1.0.0"), CancellationToken.None).AsTask();

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Integrity);
        error.Message.Should().Contain("web 1.0.0").And.Contain("index says");
        Directory.EnumerateDirectories(Path.Combine(options.CacheDirectory, "charts")).Should().BeEmpty();
    }

    [Fact]
    public async Task FetchAsync_TarSlipArchive_IsRefusedNamingTheEntry()
    {
        var folder = _temp.Combine("slip");
        Directory.CreateDirectory(folder);
        var archive = Path.Combine(folder, "web-6.6.6.tgz");
        using (var file = File.Create(archive))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "web/Chart.yaml") { DataStream = new MemoryStream("apiVersion: v2\nname: web\nversion: 6.6.6\n"u8.ToArray()) });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "web/../../../escaped.txt") { DataStream = new MemoryStream("pwned"u8.ToArray()) });
        }

        File.WriteAllText(Path.Combine(folder, "index.yaml"), $"""
            apiVersion: v1
            entries:
              web:
              - apiVersion: v2
                name: web
                version: 6.6.6
                digest: {Sha256(archive)}
                urls:
                - web-6.6.6.tgz
            generated: "2026-01-01T00:00:00Z"
            """);
        var server = Start(new ChartRepositoryServer(folder));
        var options = Options();
        var provider = CreateProvider(options);

        var act = () => provider.FetchAsync(Source(server, "6.6.6"), CancellationToken.None).AsTask();

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Integrity);
        error.Message.Should().Contain("web/../../../escaped.txt");
        Directory.EnumerateFiles(options.CacheDirectory, "escaped.txt", SearchOption.AllDirectories).Should().BeEmpty();
        Directory.EnumerateFiles(_temp.Path, "escaped.txt", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Fact]
    public async Task FetchAsync_BasicAuthRepository_NeedsTheRightCredentialsAndNeverPrintsThem()
    {
        var folder = await fixture.CreateRepositoryAsync(_temp.Combine("private"), HelmRepositoryFixture.WebPackages("1.0.0"));
        var server = Start(new ChartRepositoryServer(folder, "reader", "correct-horse"));
        var source = Source(server, "1.0.0") with { CredentialsName = "charts" };

        var ok = await CreateProvider(credentials: new SourceCredentials { Username = "reader", Password = "correct-horse" }).FetchAsync(source, CancellationToken.None);
        ok.Revision.Should().Be("1.0.0");
        server.Requests.Should().OnlyContain(r => r.HadAuthorization);

        var none = () => CreateProvider().ResolveAsync(source, CancellationToken.None).AsTask();
        (await none.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.Unauthorized);

        var wrong = () => CreateProvider(credentials: new SourceCredentials { Username = "reader", Password = "battery-staple" }).ResolveAsync(source, CancellationToken.None).AsTask();
        var error = (await wrong.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Unauthorized);
        error.Message.Should().NotContain("battery-staple");
    }

    [Fact]
    public async Task FetchAsync_ChartOnAnotherHost_GetsNoCredentials()
    {
        // The index lives behind basic auth; its chart URLs point at another origin (another port), like a CDN.
        var archives = Start(new ChartRepositoryServer(_temp.Combine("cdn")));
        await fixture.CreateRepositoryAsync(archives.RootDirectory, HelmRepositoryFixture.WebPackages("1.0.0"), archives.Url);
        var index = Start(new ChartRepositoryServer(archives.RootDirectory, "reader", "correct-horse"));
        var provider = CreateProvider(credentials: new SourceCredentials { Username = "reader", Password = "correct-horse" });

        var artifact = await provider.FetchAsync(Source(index, "1.0.0"), CancellationToken.None);

        artifact.Revision.Should().Be("1.0.0");
        index.Requests.Should().ContainSingle(r => r.Path == "/index.yaml" && r.HadAuthorization && r.Status == 200);
        archives.Requests.Should().ContainSingle(r => r.Path == "/web-1.0.0.tgz" && !r.HadAuthorization && r.Status == 200);
    }

    [Fact]
    public async Task ResolveAsync_IndexOverSizeLimit_IsRefused()
    {
        var server = await ServeAsync(HelmRepositoryFixture.AllPackages());
        var options = Options();
        options.MaxIndexBytes = 1024;

        var act = () => CreateProvider(options).ResolveAsync(Source(server, "*"), CancellationToken.None).AsTask();

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Integrity);
        error.Message.Should().Contain("index.yaml").And.Contain("1024");
    }

    [Fact]
    public async Task ResolveAsync_RepositoryDown_IsUnreachable()
    {
        var port = FreePort.Next();

        var act = () => CreateProvider().ResolveAsync(new SourceReference { Type = SourceTypes.HelmRepository, Url = $"http://127.0.0.1:{port}", Chart = "web" }, CancellationToken.None).AsTask();

        (await act.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.Unreachable);
    }

    [Fact]
    public void AddHelmRepositorySource_CalledTwice_RegistersOneProvider()
    {
        var builder = new Builder();

        builder.AddHelmRepositorySource(o => o.MaxChartBytes = 1234).AddHelmRepositorySource();
        using var services = builder.Services.BuildServiceProvider(validateScopes: true);

        services.GetServices<ISourceProvider>().OfType<HelmRepositorySourceProvider>().Should().ContainSingle()
            .Which.CanHandle(new SourceReference { Type = SourceTypes.HelmRepository, Url = "https://charts.example.com", Chart = "web" }).Should().BeTrue();
        services.GetRequiredService<IOptions<HelmRepositoryOptions>>().Value.MaxChartBytes.Should().Be(1234);
    }

    private async Task<ChartRepositoryServer> ServeAsync(IEnumerable<string> packages)
    {
        var folder = await fixture.CreateRepositoryAsync(_temp.Combine("repo-" + Guid.NewGuid().ToString("N")), packages);
        return Start(new ChartRepositoryServer(folder));
    }

    private ChartRepositoryServer Start(ChartRepositoryServer server)
    {
        _disposables.Add(server);
        return server;
    }

    private static SourceReference Source(ChartRepositoryServer server, string? reference, bool prerelease = false) =>
        new() { Type = SourceTypes.HelmRepository, Url = server.Url, Chart = "web", Ref = reference, IncludePrerelease = prerelease };

    private HelmRepositoryOptions Options() => new() { CacheDirectory = _temp.Combine("cache-" + Guid.NewGuid().ToString("N")) };

    private HelmRepositorySourceProvider CreateProvider(HelmRepositoryOptions? options = null, SourceCredentials? credentials = null)
    {
        var http = new HttpClient();
        _disposables.Add(http);
        return new HelmRepositorySourceProvider(http, Microsoft.Extensions.Options.Options.Create(options ?? Options()), credentials: new FixedCredentials(credentials));
    }

    private static string Sha256(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

    private sealed class FixedCredentials(SourceCredentials? credentials) : ICredentialProvider
    {
        public ValueTask<SourceCredentials?> GetCredentialsAsync(SourceReference source, CancellationToken cancellationToken) => ValueTask.FromResult(credentials);
    }

    private sealed class Builder : IGitOpsBuilder
    {
        public IServiceCollection Services { get; } = new ServiceCollection();
    }
}
