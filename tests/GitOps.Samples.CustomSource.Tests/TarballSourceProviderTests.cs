using GitOps.Sdk;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.Options;

namespace GitOps.Samples.CustomSource.Tests;

public sealed class TarballSourceProviderTests : IDisposable
{
    private const string ConfigMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  GREETING: hello\n";
    private readonly TarballServer _server = new();
    private readonly TempDirectory _cache = new("gitops-tarball-cache");
    private readonly HttpClient _http = new();

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
        _cache.Dispose();
    }

    [Fact]
    public async Task FetchAsync_MatchingChecksum_ExtractsFilesAndReusesTheCache()
    {
        var (url, sha) = _server.Publish("app.tar.gz", ("deploy/configmap.yaml", ConfigMap), ("README.md", "not a manifest"));
        var provider = Provider();
        var source = Source(url, "sha256:" + sha, path: "deploy");

        var revision = await provider.ResolveAsync(source, CancellationToken.None);
        var artifact = await provider.FetchAsync(source, CancellationToken.None);
        var again = await provider.FetchAsync(source, CancellationToken.None);

        revision.Revision.Should().Be("sha256:" + sha);
        artifact.Revision.Should().Be("sha256:" + sha);
        artifact.Digest.Should().Be("sha256:" + sha);
        artifact.RootDirectory.Should().Be(Path.Combine(_cache.Path, sha));
        File.ReadAllText(Path.Combine(artifact.ContentDirectory, "configmap.yaml")).Should().Be(ConfigMap);
        again.RootDirectory.Should().Be(artifact.RootDirectory);
        _server.Requests.Should().Be(1, "the second fetch of the same checksum comes from the cache");
    }

    [Fact]
    public async Task FetchAsync_ChecksumMismatch_RefusesAndLeavesNothingBehind()
    {
        var (url, sha) = _server.Publish("app.tar.gz", ("configmap.yaml", ConfigMap));
        var wrong = new string(sha.Select(c => c == 'a' ? 'b' : 'a').ToArray());

        var act = async () => await Provider().FetchAsync(Source(url, "sha256:" + wrong), CancellationToken.None);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Integrity);
        error.Message.Should().Contain($"has sha256:{sha}, expected sha256:{wrong}").And.Contain(url);
        Directory.EnumerateFileSystemEntries(_cache.Path).Should().BeEmpty();
    }

    [Fact]
    public async Task FetchAsync_ArchiveEscapingItsFolder_IsRefusedBySafeArchive()
    {
        var (url, sha) = _server.Publish("evil.tar.gz", ("../escape.yaml", ConfigMap));

        var act = async () => await Provider().FetchAsync(Source(url, sha), CancellationToken.None);

        (await act.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.Integrity);
        File.Exists(Path.Combine(_cache.Path, "..", "escape.yaml")).Should().BeFalse();
        Directory.EnumerateFileSystemEntries(_cache.Path).Should().BeEmpty();
    }

    [Fact]
    public async Task FetchAsync_MissingTarball_ThrowsRefNotFoundWithRedactedUrl()
    {
        var url = new Uri(new UriBuilder(_server.BaseAddress) { UserName = "user", Password = "hunter2" }.Uri, "missing.tar.gz").ToString();

        var act = async () => await Provider().FetchAsync(Source(url, new string('0', 64)), CancellationToken.None);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.RefNotFound);
        error.Message.Should().Contain("404").And.NotContain("hunter2");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("main")]
    [InlineData("sha256:1234")]
    public async Task ResolveAsync_RefNotAChecksum_IsRefused(string? reference)
    {
        var act = async () => await Provider().ResolveAsync(Source("https://example.com/a.tar.gz", reference), CancellationToken.None);

        (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain("sha256:<64 hex digits>");
    }

    [Fact]
    public void CanHandle_OnlyTarballSources()
    {
        Provider().CanHandle(Source("https://example.com/a.tar.gz", null)).Should().BeTrue();
        Provider().CanHandle(new SourceReference { Url = "https://example.com/a.git", Type = SourceTypes.Git }).Should().BeFalse();
    }

    private TarballSourceProvider Provider() =>
        new(_http, Options.Create(new TarballSourceOptions { CacheDirectory = _cache.Path }), TimeProvider.System);

    private static SourceReference Source(string url, string? reference, string? path = null) =>
        new() { Url = url, Type = TarballSourceProvider.SourceType, Ref = reference, Path = path };
}
