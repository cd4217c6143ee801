using System.Diagnostics.Metrics;
using GitOps.Sdk.TestUtilities.Git;

namespace GitOps.Sdk.Git.Tests.Sources;

public sealed class GitSourceProviderTests : IClassFixture<GitServersFixture>
{
    private readonly GitServersFixture servers;

    public GitSourceProviderTests(GitServersFixture servers) => this.servers = servers;

    [Theory]
    [InlineData(Transport.File)]
    [InlineData(Transport.Daemon)]
    [InlineData(Transport.Http)]
    public async Task FetchAsync_Branch_ExportsOnlyTheSelectedPathAtTheBranchCommit(Transport transport)
    {
        var repo = await servers.NewRepositoryAsync();
        var head = await repo.HeadAsync();
        using var provider = servers.NewProvider();

        var artifact = await provider.FetchAsync(Source(repo, transport, "main", "apps/web"), default);

        artifact.Revision.Should().Be($"main@sha1:{head}");
        artifact.Digest.Should().MatchRegex("^sha256:[0-9a-f]{64}$");
        artifact.Path.Should().Be("apps/web");
        artifact.ArtifactKind.Should().Be(ArtifactKinds.Manifests);
        artifact.Metadata["git.commit"].Should().Be(head);
        artifact.Metadata["git.ref"].Should().Be("refs/heads/main");
        Files(artifact.RootDirectory).Should().BeEquivalentTo("apps/web/deployment.yaml", "apps/web/service.yaml");
        File.ReadAllText(Path.Combine(artifact.ContentDirectory, "service.yaml")).Should().Contain("kind: Service");
        Directory.Exists(Path.Combine(artifact.RootDirectory, ".git")).Should().BeFalse();
    }

    [Theory]
    [InlineData(Transport.File)]
    [InlineData(Transport.Daemon)]
    [InlineData(Transport.Http)]
    public async Task ResolveAsync_DefaultRef_FollowsRemoteHead(Transport transport)
    {
        var repo = await servers.NewRepositoryAsync();
        using var provider = servers.NewProvider();

        var revision = await provider.ResolveAsync(new SourceReference { Url = servers.UrlOf(repo, transport) }, default);

        revision.Revision.Should().Be($"main@sha1:{await repo.HeadAsync()}");
        revision.Id.Should().Be(await repo.HeadAsync());
    }

    [Theory]
    [InlineData(Transport.Daemon)]
    [InlineData(Transport.Http)]
    public async Task FetchAsync_AnnotatedAndLightweightTags_ResolveToTheTaggedCommit(Transport transport)
    {
        var repo = await servers.NewRepositoryAsync();
        var tagged = await repo.HeadAsync();
        await repo.TagAndPushAsync("v1.4.2", annotated: true);
        await repo.TagAndPushAsync("light", annotated: false);
        repo.Write("apps/web/extra.yaml", "kind: ConfigMap\n");
        await repo.CommitAndPushAsync("after the tags");
        using var provider = servers.NewProvider();

        var annotated = await provider.FetchAsync(Source(repo, transport, "v1.4.2", "apps/web"), default);
        var light = await provider.ResolveAsync(Source(repo, transport, "light"), default);

        annotated.Revision.Should().Be($"v1.4.2@sha1:{tagged}");
        Files(annotated.RootDirectory).Should().NotContain("apps/web/extra.yaml");
        light.Revision.Should().Be($"light@sha1:{tagged}");
    }

    [Theory]
    [InlineData(Transport.Daemon)]
    [InlineData(Transport.Http)]
    public async Task FetchAsync_SemverRange_PicksHighestMatchingStableTag(Transport transport)
    {
        var repo = await servers.NewRepositoryAsync();
        var shas = new Dictionary<string, string>();
        foreach (var tag in new[] { "v1.2.0", "v1.10.1", "v2.0.0", "v1.11.0-rc.1", "not-a-version" })
        {
            repo.Write("apps/web/version.txt", tag);
            shas[tag] = await repo.CommitAndPushAsync(tag);
            await repo.TagAndPushAsync(tag, annotated: tag != "v1.10.1");
        }

        using var provider = servers.NewProvider();

        var stable = await provider.FetchAsync(Source(repo, transport, ">=1.2.0 <2.0.0", "apps/web"), default);
        var pre = await provider.ResolveAsync(Source(repo, transport, "^1.2.0") with { IncludePrerelease = true }, default);
        var caret = await provider.ResolveAsync(Source(repo, transport, "1.x") with { RefKind = SourceRefKind.Semver }, default);

        stable.Revision.Should().Be($"v1.10.1@sha1:{shas["v1.10.1"]}");
        File.ReadAllText(Path.Combine(stable.ContentDirectory, "version.txt")).Should().Be("v1.10.1");
        pre.Revision.Should().Be($"v1.11.0-rc.1@sha1:{shas["v1.11.0-rc.1"]}");
        caret.Revision.Should().StartWith("v1.10.1@sha1:");
    }

    [Theory]
    [InlineData(Transport.Daemon)]
    [InlineData(Transport.Http)]
    public async Task FetchAsync_CommitSha_RevisionIsTheBareCommit(Transport transport)
    {
        var repo = await servers.NewRepositoryAsync();
        var first = await repo.HeadAsync();
        repo.Write("apps/web/later.yaml", "kind: Later\n");
        await repo.CommitAndPushAsync("later");
        using var provider = servers.NewProvider();

        var resolved = await provider.ResolveAsync(Source(repo, transport, first), default);
        var artifact = await provider.FetchAsync(Source(repo, transport, first, "apps/web"), default);

        resolved.Revision.Should().Be($"sha1:{first}");
        artifact.Revision.Should().Be($"sha1:{first}");
        Files(artifact.RootDirectory).Should().NotContain("apps/web/later.yaml");
    }

    [Theory]
    [InlineData(Transport.Daemon)]
    [InlineData(Transport.Http)]
    public async Task FetchAsync_NewCommitPushed_PicksItUpByFetchingIntoTheCache(Transport transport)
    {
        var repo = await servers.NewRepositoryAsync();
        using var provider = servers.NewProvider();
        var before = await provider.FetchAsync(Source(repo, transport, "main", "apps/web"), default);

        repo.Write("apps/web/service.yaml", "kind: Service\nmetadata:\n  name: web-v2\n");
        var pushed = await repo.CommitAndPushAsync("v2");
        var after = await provider.FetchAsync(Source(repo, transport, "main", "apps/web"), default);

        after.Revision.Should().Be($"main@sha1:{pushed}");
        after.Digest.Should().NotBe(before.Digest);
        File.ReadAllText(Path.Combine(after.ContentDirectory, "service.yaml")).Should().Contain("web-v2");
        File.ReadAllText(Path.Combine(before.ContentDirectory, "service.yaml")).Should().NotContain("web-v2", "an earlier export is immutable");
    }

    [Theory]
    [InlineData(Transport.Daemon)]
    [InlineData(Transport.Http)]
    public async Task FetchAsync_ForcePushedBranch_FollowsTheRewrittenCommit(Transport transport)
    {
        var repo = await servers.NewRepositoryAsync();
        repo.Write("apps/web/wip.yaml", "kind: Wip\n");
        await repo.CommitAndPushAsync("wip");
        using var provider = servers.NewProvider();
        await provider.FetchAsync(Source(repo, transport, "main", "apps/web"), default);

        repo.Delete("apps/web/wip.yaml");
        var rewritten = await repo.AmendAndForcePushAsync("rewritten");
        var artifact = await provider.FetchAsync(Source(repo, transport, "main", "apps/web"), default);

        artifact.Revision.Should().Be($"main@sha1:{rewritten}");
        Files(artifact.RootDirectory).Should().NotContain("apps/web/wip.yaml");
    }

    [Fact]
    public async Task ResolveAsync_TagAdded_SemverRangeMovesToTheNewTag()
    {
        var repo = await servers.NewRepositoryAsync();
        await repo.TagAndPushAsync("v1.0.0");
        using var provider = servers.NewProvider();
        var source = Source(repo, Transport.Http, "~1.0");
        (await provider.ResolveAsync(source, default)).Revision.Should().StartWith("v1.0.0@");

        repo.Write("apps/web/fix.yaml", "kind: Fix\n");
        var fix = await repo.CommitAndPushAsync("fix");
        await repo.TagAndPushAsync("v1.0.1");

        (await provider.ResolveAsync(source, default)).Revision.Should().Be($"v1.0.1@sha1:{fix}");
        (await provider.FetchAsync(source with { Path = "apps/web" }, default)).Revision.Should().Be($"v1.0.1@sha1:{fix}");
    }

    [Fact]
    public async Task FetchAsync_UnchangedRemote_DownloadsNothingAndReusesTheExport()
    {
        var repo = await servers.NewRepositoryAsync();
        var progress = new List<GitTransferProgress>();
        using var provider = servers.NewProvider(o => o.Progress = new SyncProgress(progress));
        var source = Source(repo, Transport.Http, "main", "apps/web");
        using var fetches = new FetchCounter(servers.UrlOf(repo, Transport.Http));

        var first = await provider.FetchAsync(source, default);
        var packsAfterFirst = servers.Http.UploadPackRequests;
        var progressAfterFirst = progress.Count;
        var resolved = await provider.ResolveAsync(source, default);
        var second = await provider.FetchAsync(source, default);

        progressAfterFirst.Should().BePositive("the first fetch downloads objects");
        progress.Should().HaveCount(progressAfterFirst, "nothing is transferred for an unchanged remote");
        servers.Http.UploadPackRequests.Should().Be(packsAfterFirst, "no pack was requested again");
        fetches.Network.Should().Be(1);
        fetches.None.Should().Be(1);
        resolved.Revision.Should().Be(first.Revision);
        second.RootDirectory.Should().Be(first.RootDirectory);
        second.Digest.Should().Be(first.Digest);
    }

    [Fact]
    public async Task FetchAsync_UnrelatedCommitOutsideThePath_SameDigestAndFolder()
    {
        var repo = await servers.NewRepositoryAsync();
        using var provider = servers.NewProvider();
        var source = Source(repo, Transport.Daemon, "main", "apps/web");
        var before = await provider.FetchAsync(source, default);

        repo.Write("apps/api/deployment.yaml", "kind: Deployment\nmetadata:\n  name: api-v2\n");
        repo.Write("README.md", "# changed\n");
        await repo.CommitAndPushAsync("unrelated");
        var after = await provider.FetchAsync(source, default);

        after.Revision.Should().NotBe(before.Revision);
        after.Digest.Should().Be(before.Digest);
        after.RootDirectory.Should().Be(before.RootDirectory, "exports are shared by content");
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task FetchAsync_ExportedFiles_AreReadOnlyAndKeepTheExecutableBit()
    {
        var repo = await servers.NewRepositoryAsync(populate: r => r.Write("apps/web/hook.sh", "#!/bin/sh\necho hi\n"));
        File.SetUnixFileMode(Path.Combine(repo.WorkTree, "apps/web/hook.sh"), (UnixFileMode)0b111_101_101);
        await repo.CommitAndPushAsync("executable");
        using var provider = servers.NewProvider();

        var artifact = await provider.FetchAsync(Source(repo, Transport.File, "main", "apps/web"), default);

        File.GetUnixFileMode(Path.Combine(artifact.ContentDirectory, "hook.sh")).Should().HaveFlag(UnixFileMode.UserExecute);
        File.GetUnixFileMode(Path.Combine(artifact.ContentDirectory, "service.yaml")).Should().NotHaveFlag(UnixFileMode.UserWrite);
        File.GetUnixFileMode(artifact.ContentDirectory).Should().NotHaveFlag(UnixFileMode.UserWrite);
        File.GetUnixFileMode(artifact.RootDirectory).Should().NotHaveFlag(UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task FetchAsync_HelmChartFolder_IsReportedAsAChart()
    {
        var repo = await servers.NewRepositoryAsync(populate: r => r.Write("charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n"));
        using var provider = servers.NewProvider();

        var artifact = await provider.FetchAsync(Source(repo, Transport.File, "main", "charts/web"), default);

        artifact.ArtifactKind.Should().Be(ArtifactKinds.HelmChart);
    }

    [Fact]
    public async Task FetchAsync_LocalPathWithoutScheme_Works()
    {
        var repo = await servers.NewRepositoryAsync();
        using var provider = servers.NewProvider();

        var fromBare = await provider.FetchAsync(new SourceReference { Url = repo.BareDirectory, Path = "apps/web" }, default);
        var fromWorkTree = await provider.FetchAsync(new SourceReference { Url = repo.WorkTree, Ref = "main", Path = "apps/web" }, default);

        fromBare.Digest.Should().Be(fromWorkTree.Digest);
        fromBare.Revision.Should().Be($"main@sha1:{await repo.HeadAsync()}");
    }

    private SourceReference Source(GitTestRepository repo, Transport transport, string? reference, string? path = null) =>
        new() { Url = servers.UrlOf(repo, transport), Ref = reference, Path = path };

    internal static string[] Files(string root) =>
        [.. Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Where(p => !Directory.Exists(p) || new FileInfo(p).LinkTarget is not null)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];
}

/// <summary>Records progress synchronously (Progress&lt;T&gt; would post to the thread pool and race the assertions).</summary>
internal sealed class SyncProgress(List<GitTransferProgress> sink) : IProgress<GitTransferProgress>
{
    public void Report(GitTransferProgress value)
    {
        lock (sink)
        {
            sink.Add(value);
        }
    }
}

/// <summary>Counts the provider's <c>gitops.source.git.fetches</c> measurements for one URL.</summary>
internal sealed class FetchCounter : IDisposable
{
    private readonly MeterListener listener = new();
    private int network;
    private int none;

    public FetchCounter(string url)
    {
        var display = SafeUrl.Redact(url);
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "GitOps.Sdk" && instrument.Name == "gitops.source.git.fetches")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? tagUrl = null;
            string? transfer = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "gitops.source.url")
                {
                    tagUrl = tag.Value as string;
                }
                else if (tag.Key == "transfer")
                {
                    transfer = tag.Value as string;
                }
            }

            if (tagUrl == display)
            {
                if (transfer == "network")
                {
                    Interlocked.Add(ref network, (int)value);
                }
                else
                {
                    Interlocked.Add(ref none, (int)value);
                }
            }
        });
        listener.Start();
    }

    public int Network => Volatile.Read(ref network);

    public int None => Volatile.Read(ref none);

    public void Dispose() => listener.Dispose();
}
