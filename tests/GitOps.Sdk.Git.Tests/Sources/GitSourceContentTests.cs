using GitOps.Sdk.TestUtilities.Git;

namespace GitOps.Sdk.Git.Tests.Sources;

public sealed class GitSourceContentTests : IClassFixture<GitServersFixture>
{
    private readonly GitServersFixture servers;

    public GitSourceContentTests(GitServersFixture servers) => this.servers = servers;

    [Fact]
    public async Task FetchAsync_SourceIgnoreFiles_ExcludeMatchingFilesAtEveryLevel()
    {
        var repo = await servers.NewRepositoryAsync(populate: r => r
            .Write(".sourceignore", "# docs are not manifests\n*.md\n!/apps/web/KEEP.md\napps/web/secrets/\n")
            .Write("apps/web/README.md", "ignored")
            .Write("apps/web/KEEP.md", "re-included")
            .Write("apps/web/secrets/token.yaml", "ignored")
            .Write("apps/web/tests/.sourceignore", "*.json\n")
            .Write("apps/web/tests/fixture.json", "ignored by the nested file")
            .Write("apps/web/tests/check.yaml", "kept"));
        using var provider = servers.NewProvider();

        var artifact = await provider.FetchAsync(new SourceReference { Url = servers.UrlOf(repo, Transport.File), Path = "apps/web" }, default);

        GitSourceProviderTests.Files(artifact.RootDirectory).Should().Equal(
            "apps/web/KEEP.md", "apps/web/deployment.yaml", "apps/web/service.yaml", "apps/web/tests/.sourceignore", "apps/web/tests/check.yaml");
    }

    [Fact]
    public async Task FetchAsync_IgnoreAndIncludeOptions_SelectFilesInGitignoreSyntax()
    {
        var repo = await servers.NewRepositoryAsync(populate: r => r
            .Write("apps/web/values.json", "{}")
            .Write("apps/web/deep/nested/extra.yaml", "kind: Extra\n")
            .Write("apps/web/deep/nested/skip.yaml", "kind: Skip\n"));
        using var provider = servers.NewProvider(o =>
        {
            o.Include.Add("*.yaml");
            o.Ignore.Add("**/nested/skip.yaml");
            o.Ignore.Add("service.*");
        });

        var artifact = await provider.FetchAsync(new SourceReference { Url = servers.UrlOf(repo, Transport.Daemon), Path = "apps/web" }, default);

        GitSourceProviderTests.Files(artifact.RootDirectory).Should().Equal("apps/web/deep/nested/extra.yaml", "apps/web/deployment.yaml");
    }

    [Fact]
    public async Task FetchAsync_DifferentPatterns_GiveDifferentDigestsForOneCommit()
    {
        var repo = await servers.NewRepositoryAsync();
        using var all = servers.NewProvider();
        using var some = servers.NewProvider(o => o.Ignore.Add("service.yaml"));
        var source = new SourceReference { Url = servers.UrlOf(repo, Transport.File), Path = "apps/web" };

        var a = await all.FetchAsync(source, default);
        var b = await some.FetchAsync(source, default);

        a.Revision.Should().Be(b.Revision);
        a.Digest.Should().NotBe(b.Digest);
    }

    [Theory]
    [InlineData("../../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("../api/deployment.yaml")]
    public async Task FetchAsync_SymlinkLeavingTheSelection_IsRefusedAsIntegrityFailure(string target)
    {
        var repo = await servers.NewRepositoryAsync(populate: r => r.Symlink("apps/web/escape.yaml", target));
        using var provider = servers.NewProvider();

        var act = async () => await provider.FetchAsync(new SourceReference { Url = servers.UrlOf(repo, Transport.Http), Path = "apps/web" }, default);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Integrity);
        error.Message.Should().Contain("apps/web/escape.yaml").And.Contain(target);
    }

    [Fact]
    public async Task FetchAsync_SymlinkInsideTheSelection_IsKeptAsALink()
    {
        var repo = await servers.NewRepositoryAsync(populate: r => r.Symlink("apps/web/alias.yaml", "service.yaml"));
        using var provider = servers.NewProvider();

        var artifact = await provider.FetchAsync(new SourceReference { Url = servers.UrlOf(repo, Transport.File), Path = "apps/web" }, default);

        var link = new FileInfo(Path.Combine(artifact.ContentDirectory, "alias.yaml"));
        link.LinkTarget.Should().Be("service.yaml");
        File.ReadAllText(link.FullName).Should().Contain("kind: Service");
    }

    [Fact]
    public async Task FetchAsync_EscapingSymlinkOutsideTheSelectedPath_DoesNotMatter()
    {
        var repo = await servers.NewRepositoryAsync(populate: r => r.Symlink("other/escape", "/etc/passwd"));
        using var provider = servers.NewProvider();

        var artifact = await provider.FetchAsync(new SourceReference { Url = servers.UrlOf(repo, Transport.File), Path = "apps/web" }, default);

        GitSourceProviderTests.Files(artifact.RootDirectory).Should().NotContain(f => f.StartsWith("other", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FetchAsync_ConcurrentFetchesOfOneRepository_AllSucceedWithOneDownload()
    {
        var repo = await servers.NewRepositoryAsync();
        await repo.AddManyFilesAsync("bulk", 200);
        var cache = servers.NewDirectory("shared-cache");
        var providers = Enumerable.Range(0, 3).Select(_ => servers.NewProvider(o => o.CacheDirectory = cache)).ToList();
        using var fetches = new FetchCounter(servers.UrlOf(repo, Transport.Http));
        var packsBefore = servers.Http.UploadPackRequests;
        var sources = new[] { "apps/web", "apps/api", "bulk", null };

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
            await providers[i % providers.Count].FetchAsync(new SourceReference { Url = servers.UrlOf(repo, Transport.Http), Ref = "main", Path = sources[i % sources.Length] }, default))));

        results.Select(r => r.Revision).Distinct().Should().ContainSingle();
        results.GroupBy(r => r.Path).Should().AllSatisfy(g => g.Select(r => r.RootDirectory).Distinct().Should().ContainSingle());
        fetches.Network.Should().Be(1, "one task downloads, the others wait for the lock and find the commit cached");
        servers.Http.UploadPackRequests.Should().Be(packsBefore + 1);
        foreach (var p in providers)
        {
            p.Dispose();
        }
    }

    [Fact]
    public async Task FetchAsync_TwoThousandFileRepository_ExportsEveryFileAndReusesIt()
    {
        var repo = await servers.NewRepositoryAsync();
        await repo.AddManyFilesAsync("bulk", 2000);
        using var provider = servers.NewProvider();
        var source = new SourceReference { Url = servers.UrlOf(repo, Transport.Http), Ref = "main" };

        var first = await provider.FetchAsync(source, default);
        var again = await provider.FetchAsync(source, default);

        Directory.EnumerateFiles(Path.Combine(first.RootDirectory, "bulk"), "*.yaml", SearchOption.AllDirectories).Should().HaveCount(2000);
        again.RootDirectory.Should().Be(first.RootDirectory);
        again.Digest.Should().Be(first.Digest);
    }

    [Fact]
    public async Task FetchAsync_ManyCommits_OldExportsArePrunedBeyondTheLimit()
    {
        var repo = await servers.NewRepositoryAsync();
        using var provider = servers.NewProvider(o => o.ExportsToKeep = 2);
        var source = new SourceReference { Url = servers.UrlOf(repo, Transport.File), Path = "apps/web" };
        var folders = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            repo.Write("apps/web/counter.txt", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await repo.CommitAndPushAsync($"change {i}");
            folders.Add((await provider.FetchAsync(source, default)).RootDirectory);
        }

        folders.Distinct().Should().HaveCount(4);
        folders.Take(2).Should().AllSatisfy(f => Directory.Exists(f).Should().BeFalse());
        folders.Skip(2).Should().AllSatisfy(f => Directory.Exists(f).Should().BeTrue());
    }
}
