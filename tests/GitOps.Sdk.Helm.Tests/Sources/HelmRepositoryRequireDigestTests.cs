using System.Security.Cryptography;
using System.Text.RegularExpressions;
using GitOps.Sdk.Helm.Sources;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Helm;

namespace GitOps.Sdk.Helm.Tests.Sources;

/// <summary>
/// <see cref="HelmRepositoryOptions.RequireDigest"/> against a chart repository made by <c>helm package</c> and
/// <c>helm repo index</c>, served over HTTP.
/// </summary>
public sealed partial class HelmRepositoryRequireDigestTests(HelmRepositoryFixture fixture) : IClassFixture<HelmRepositoryFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("helm-digest-test");
    private readonly List<IDisposable> _disposables = [];

    public void Dispose()
    {
        foreach (var d in _disposables)
        {
            d.Dispose();
        }

        _temp.Dispose();
    }

    [Fact]
    public async Task FetchAsync_RequireDigest_EntryWithoutDigest_RefusedBeforeDownloadWhileTheDefaultTrustsIt()
    {
        var folder = await fixture.CreateRepositoryAsync(_temp.Combine("undigested"), HelmRepositoryFixture.WebPackages("1.0.0"));
        var index = Path.Combine(folder, "index.yaml");
        File.WriteAllText(index, DigestLine().Replace(File.ReadAllText(index), string.Empty));
        File.ReadAllText(index).Should().NotContain("digest:").And.Contain("version: 1.0.0");
        var server = Start(new ChartRepositoryServer(folder));
        var strict = Options(requireDigest: true);

        var act = () => CreateProvider(strict).FetchAsync(Source(server, "1.0.0"), CancellationToken.None).AsTask();

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Integrity);
        error.Message.Should().Contain("web 1.0.0").And.Contain("no digest").And.Contain("required").And.Contain(server.Url);
        server.Requests.Should().NotContain(r => r.Path.EndsWith(".tgz", StringComparison.Ordinal), "an undigested chart is refused before it is downloaded");
        Charts(strict).Should().BeEmpty();

        var trusted = await CreateProvider(Options(requireDigest: false)).FetchAsync(Source(server, "1.0.0"), CancellationToken.None);
        trusted.Revision.Should().Be("1.0.0");
        trusted.Digest.Should().Be("sha256:" + Sha256(Path.Combine(folder, "web-1.0.0.tgz")));
    }

    [Fact]
    public async Task FetchAsync_RequireDigest_ArchiveNotMatchingTheIndexDigest_Refused()
    {
        var folder = await fixture.CreateRepositoryAsync(_temp.Combine("mismatch"), HelmRepositoryFixture.WebPackages("1.0.0", "1.2.0"));
        File.Copy(Path.Combine(folder, "web-1.2.0.tgz"), Path.Combine(folder, "web-1.0.0.tgz"), overwrite: true);
        var server = Start(new ChartRepositoryServer(folder));
        var options = Options(requireDigest: true);

        var act = () => CreateProvider(options).FetchAsync(Source(server, "1.0.0"), CancellationToken.None).AsTask();

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Integrity);
        error.Message.Should().Contain("web 1.0.0").And.Contain("sha256:" + Sha256(Path.Combine(folder, "web-1.2.0.tgz"))).And.Contain("the index says");
        Charts(options).Should().BeEmpty();
    }

    [Fact]
    public async Task FetchAsync_RequireDigest_ArchiveMatchingTheIndexDigest_Fetched()
    {
        var folder = await fixture.CreateRepositoryAsync(_temp.Combine("matching"), HelmRepositoryFixture.WebPackages("1.0.0", "1.2.0"));
        var server = Start(new ChartRepositoryServer(folder));
        var options = Options(requireDigest: true);

        var artifact = await CreateProvider(options).FetchAsync(Source(server, "1.2.0"), CancellationToken.None);

        artifact.Revision.Should().Be("1.2.0");
        artifact.Digest.Should().Be("sha256:" + Sha256(Path.Combine(folder, "web-1.2.0.tgz")));
        File.ReadAllText(Path.Combine(artifact.ContentDirectory, "Chart.yaml")).Should().Contain("version: 1.2.0");
        Charts(options).Should().ContainSingle();
    }

    [GeneratedRegex(@"^\s*digest:.*\n", RegexOptions.Multiline)]
    private static partial Regex DigestLine();

    private static IEnumerable<string> Charts(HelmRepositoryOptions options)
    {
        var charts = Path.Combine(options.CacheDirectory, "charts");
        return Directory.Exists(charts) ? Directory.EnumerateDirectories(charts) : [];
    }

    private ChartRepositoryServer Start(ChartRepositoryServer server)
    {
        _disposables.Add(server);
        return server;
    }

    private static SourceReference Source(ChartRepositoryServer server, string version) =>
        new() { Type = SourceTypes.HelmRepository, Url = server.Url, Chart = "web", Ref = version };

    private HelmRepositoryOptions Options(bool requireDigest) =>
        new() { CacheDirectory = _temp.Combine("cache-" + Guid.NewGuid().ToString("N")), RequireDigest = requireDigest };

    private HelmRepositorySourceProvider CreateProvider(HelmRepositoryOptions options)
    {
        var http = new HttpClient();
        _disposables.Add(http);
        return new HelmRepositorySourceProvider(http, Microsoft.Extensions.Options.Options.Create(options));
    }

    private static string Sha256(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
}
