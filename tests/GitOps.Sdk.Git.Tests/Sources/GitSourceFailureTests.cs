using System.Diagnostics;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;

namespace GitOps.Sdk.Git.Tests.Sources;

public sealed class GitSourceFailureTests : IClassFixture<GitServersFixture>
{
    private readonly GitServersFixture servers;

    public GitSourceFailureTests(GitServersFixture servers) => this.servers = servers;

    [Theory]
    [InlineData(Transport.File)]
    [InlineData(Transport.Daemon)]
    [InlineData(Transport.Http)]
    public async Task FetchAsync_MissingBranch_ThrowsRefNotFoundNamingUrlAndRef(Transport transport)
    {
        var repo = await servers.NewRepositoryAsync();
        using var provider = servers.NewProvider();
        var url = servers.UrlOf(repo, transport);

        var act = async () => await provider.FetchAsync(new SourceReference { Url = url, Ref = "no-such-branch" }, default);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.RefNotFound);
        error.Message.Should().Contain(transport == Transport.File ? repo.BareDirectory : url).And.Contain("no-such-branch");
    }

    [Fact]
    public async Task ResolveAsync_SemverRangeWithoutMatch_ThrowsRefNotFound()
    {
        var repo = await servers.NewRepositoryAsync();
        await repo.TagAndPushAsync("v1.0.0");
        using var provider = servers.NewProvider();

        var act = async () => await provider.ResolveAsync(new SourceReference { Url = servers.UrlOf(repo, Transport.Http), Ref = ">=2.0.0" }, default);

        (await act.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.RefNotFound);
    }

    [Fact]
    public async Task FetchAsync_UnknownCommit_ThrowsRefNotFound()
    {
        var repo = await servers.NewRepositoryAsync();
        using var provider = servers.NewProvider();
        var sha = new string('a', 40);

        var act = async () => await provider.FetchAsync(new SourceReference { Url = servers.UrlOf(repo, Transport.Daemon), Ref = sha }, default);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.RefNotFound);
        error.Message.Should().Contain(sha);
    }

    [Theory]
    [InlineData(Transport.Daemon)]
    [InlineData(Transport.Http)]
    public async Task FetchAsync_MissingPath_ThrowsPathNotFoundNamingRevisionAndPath(Transport transport)
    {
        var repo = await servers.NewRepositoryAsync();
        using var provider = servers.NewProvider();

        var act = async () => await provider.FetchAsync(new SourceReference { Url = servers.UrlOf(repo, transport), Ref = "main", Path = "apps/missing" }, default);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.PathNotFound);
        error.Message.Should().Contain("apps/missing").And.Contain($"main@sha1:{await repo.HeadAsync()}");
    }

    [Fact]
    public async Task FetchAsync_PathEscapingTheRepository_IsRefused()
    {
        var repo = await servers.NewRepositoryAsync();
        using var provider = servers.NewProvider();

        var act = async () => await provider.FetchAsync(new SourceReference { Url = servers.UrlOf(repo, Transport.File), Path = "apps/../../etc" }, default);

        (await act.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.PathNotFound);
    }

    [Theory]
    [InlineData("git")]
    [InlineData("http")]
    public async Task ResolveAsync_NothingListening_ThrowsUnreachable(string scheme)
    {
        const int port = 1; // privileged and unused: a port another test cannot start a server on
        using var provider = servers.NewProvider();

        var act = async () => await provider.ResolveAsync(new SourceReference { Url = $"{scheme}://127.0.0.1:{port}/nothing.git", Ref = "main" }, default);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Unreachable);
        error.Message.Should().Contain($"127.0.0.1:{port}");
    }

    [Theory]
    [InlineData("git")]
    [InlineData("http")]
    public async Task ResolveAsync_RemoteAcceptsAndNeverAnswers_TimeoutAfterResolveTimeoutNamingTheRemoteNotTheSecret(string scheme)
    {
        await using var silent = TcpRelay.Start();
        var secret = "never-print-" + Guid.NewGuid().ToString("N");
        var timeout = TimeSpan.FromSeconds(1);
        using var provider = servers.NewProvider(o =>
        {
            o.ResolveTimeout = timeout;
            o.Credentials["deploy"] = new SourceCredentials { Username = "deployer", Password = secret };
        });
        var url = $"{scheme}://deployer:{secret}@127.0.0.1:{silent.Port}/deploy.git";
        var clock = Stopwatch.StartNew();

        var act = async () => await provider.ResolveAsync(new SourceReference { Url = url, Ref = "main", CredentialsName = "deploy" }, default);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        clock.Stop();
        error.Kind.Should().Be(SourceErrorKind.Timeout);
        error.Message.Should().Contain($"{scheme}://").And.Contain($"127.0.0.1:{silent.Port}/deploy.git").And.Contain($"longer than {timeout}").And.NotContain(secret);
        error.ToString().Should().NotContain(secret);
        clock.Elapsed.Should().BeGreaterThanOrEqualTo(timeout - TimeSpan.FromMilliseconds(50)).And.BeLessThan(timeout + TimeSpan.FromSeconds(10));
        silent.SilentConnections.Should().BePositive("the remote accepted the connection and said nothing");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResolveAsync_LocalFolderThatDoesNotExist_SaysSoInsteadOfUnsupportedProtocol(bool fileUrl)
    {
        using var temp = new TempDirectory("gitops-missing-repo");
        var missing = temp.Combine("no-such-repository");
        using var provider = servers.NewProvider();

        var act = async () => await provider.ResolveAsync(new SourceReference { Url = fileUrl ? new Uri(missing).AbsoluteUri : missing, Ref = "main" }, default);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Message.Should().Be($"git source {missing}: no repository there, the folder does not exist (while listing refs).");
        error.Message.Should().NotContainEquivalentOf("unsupported URL protocol");
    }

    [Fact]
    public async Task ResolveAsync_LocalFolderThatIsNoRepository_SaysSo()
    {
        using var temp = new TempDirectory("gitops-not-a-repo");
        using var provider = servers.NewProvider();

        var act = async () => await provider.ResolveAsync(new SourceReference { Url = temp.Path, Ref = "main" }, default);

        (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain("no repository there, the folder is not a Git repository");
    }

    [Fact]
    public async Task FetchAsync_UnknownRepositoryOnServer_ThrowsNamingTheUrl()
    {
        using var provider = servers.NewProvider();
        var url = servers.Http.UrlOf("does-not-exist");

        var act = async () => await provider.FetchAsync(new SourceReference { Url = url, Ref = "main" }, default);

        (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain(url).And.Contain("not found");
    }

    [Fact]
    public async Task FetchAsync_CancelledMidTransfer_StopsAndLeavesTheCacheUsable()
    {
        var root = servers.NewDirectory("slow");
        Directory.CreateDirectory(root);
        var repo = await GitTestRepository.CreateAsync(root, "big");
        await repo.AddManyFilesAsync("bulk", 600);
        await using var slow = await GitHttpServer.StartAsync(new GitHttpServerOptions { Root = root, ThrottleBytesPerSecond = 64 * 1024 });
        using var cts = new CancellationTokenSource();
        var reports = 0;
        var progress = new CallbackProgress(p =>
        {
            if (p.ReceivedObjects > 0 && Interlocked.Increment(ref reports) == 1)
            {
                cts.Cancel();
            }
        });
        using var provider = servers.NewProvider(o => o.Progress = progress);
        var source = new SourceReference { Url = slow.UrlOf("big"), Ref = "main" };

        var act = async () => await provider.FetchAsync(source, cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        reports.Should().BePositive("the transfer had started");

        // A later fetch (unthrottled server, same repository) completes from the same cache.
        await using var fast = await GitHttpServer.StartAsync(new GitHttpServerOptions { Root = root });
        var artifact = await provider.FetchAsync(source with { Url = fast.UrlOf("big") }, default);
        Directory.EnumerateFiles(artifact.RootDirectory, "*", SearchOption.AllDirectories).Should().HaveCount(600);
    }

    [Fact]
    public async Task FetchAsync_Timeout_ThrowsTimeoutKind()
    {
        var root = servers.NewDirectory("timeout");
        Directory.CreateDirectory(root);
        var repo = await GitTestRepository.CreateAsync(root, "big");
        await repo.AddManyFilesAsync("bulk", 300);
        await using var slow = await GitHttpServer.StartAsync(new GitHttpServerOptions { Root = root, ThrottleBytesPerSecond = 16 * 1024 });
        using var provider = servers.NewProvider(o => o.FetchTimeout = TimeSpan.FromMilliseconds(300));

        var act = async () => await provider.FetchAsync(new SourceReference { Url = slow.UrlOf("big"), Ref = "main" }, default);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Timeout);
        error.Message.Should().Contain(slow.UrlOf("big"));
    }
}

internal sealed class CallbackProgress(Action<GitTransferProgress> callback) : IProgress<GitTransferProgress>
{
    public void Report(GitTransferProgress value) => callback(value);
}
