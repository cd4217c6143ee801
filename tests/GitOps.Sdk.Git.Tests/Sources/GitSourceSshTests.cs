using GitOps.Sdk.TestUtilities.Git;

namespace GitOps.Sdk.Git.Tests.Sources;

public sealed class GitSourceSshTests : IClassFixture<GitServersFixture>, IAsyncLifetime
{
    private readonly GitServersFixture servers;
    private SshGitServer ssh = null!;

    public GitSourceSshTests(GitServersFixture servers) => this.servers = servers;

    public async Task InitializeAsync() => ssh = await SshGitServer.StartAsync();

    public async Task DisposeAsync() => await ssh.DisposeAsync();

    [Fact]
    public void LibGit2Sharp_NativeBuild_ReportsSsh() =>
        LibGit2Sharp.GlobalSettings.Version.Features.Should().HaveFlag(LibGit2Sharp.BuiltInFeatures.Ssh);

    [Fact]
    public async Task FetchAsync_SshWithKeyAndKnownHosts_FetchesFromRealSshd()
    {
        var repo = await servers.NewRepositoryAsync();
        await repo.TagAndPushAsync("v1.0.0");
        using var provider = servers.NewProvider(o => o.Credentials["ssh"] = Credentials());
        var source = new SourceReference { Url = ssh.UrlOf(repo.BareDirectory), Ref = "main", Path = "apps/web", CredentialsName = "ssh" };

        var resolved = await provider.ResolveAsync(source with { Ref = "^1.0" }, default);
        var artifact = await provider.FetchAsync(source, default);
        repo.Write("apps/web/new.yaml", "kind: New\n");
        var pushed = await repo.CommitAndPushAsync("new");
        var updated = await provider.FetchAsync(source, default);

        resolved.Revision.Should().StartWith("v1.0.0@sha1:");
        GitSourceProviderTests.Files(artifact.RootDirectory).Should().Equal("apps/web/deployment.yaml", "apps/web/service.yaml");
        updated.Revision.Should().Be($"main@sha1:{pushed}");
        File.Exists(Path.Combine(updated.ContentDirectory, "new.yaml")).Should().BeTrue();
    }

    [Fact]
    public async Task FetchAsync_ScpLikeUrl_Works()
    {
        var repo = await servers.NewRepositoryAsync();
        var credentials = Credentials() with { SshKnownHosts = null, InsecureSkipHostKeyCheck = true };
        using var provider = servers.NewProvider(o => o.Credentials["ssh"] = credentials);

        // scp-like syntax has no port; reach the fixture's port through an ssh option in a custom executable.
        var wrapper = servers.NewDirectory("ssh-port") + ".sh";
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec ssh -p {ssh.Port} \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)0b111_000_000);
        using var viaWrapper = servers.NewProvider(o =>
        {
            o.Credentials["ssh"] = credentials;
            o.SshExecutable = wrapper;
        });

        var artifact = await viaWrapper.FetchAsync(new SourceReference { Url = $"{SshGitServer.User}@127.0.0.1:{repo.BareDirectory}", Ref = "main", CredentialsName = "ssh" }, default);

        artifact.Revision.Should().Be($"main@sha1:{await repo.HeadAsync()}");
    }

    [Fact]
    public async Task ResolveAsync_UnknownHostKey_ThrowsUnauthorizedNamingKnownHosts()
    {
        var repo = await servers.NewRepositoryAsync();
        var otherHost = ssh.KnownHosts.Split(' ')[0] + " ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGYkRl1kXxY5q8cPqFvY0Qh5d3s0b4hV2XN4cX0Jm3Zk";
        using var provider = servers.NewProvider(o => o.Credentials["ssh"] = Credentials() with { SshKnownHosts = otherHost });

        var act = async () => await provider.ResolveAsync(new SourceReference { Url = ssh.UrlOf(repo.BareDirectory), CredentialsName = "ssh" }, default);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Unauthorized);
        error.Message.Should().Contain("known_hosts");
    }

    [Fact]
    public async Task ResolveAsync_KeyNotAuthorized_ThrowsUnauthorizedWithoutTheKey()
    {
        var repo = await servers.NewRepositoryAsync();
        await using var other = await SshGitServer.StartAsync();
        using var provider = servers.NewProvider(o => o.Credentials["ssh"] = Credentials() with { SshPrivateKey = other.ClientPrivateKey });

        var act = async () => await provider.ResolveAsync(new SourceReference { Url = ssh.UrlOf(repo.BareDirectory), CredentialsName = "ssh" }, default);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Unauthorized);
        error.ToString().Should().NotContain("PRIVATE KEY");
    }

    [Fact]
    public async Task ResolveAsync_NothingListening_ThrowsUnreachable()
    {
        const int port = 1; // privileged and unused: a port another test cannot start a server on
        using var provider = servers.NewProvider(o => o.Credentials["ssh"] = Credentials());

        var act = async () => await provider.ResolveAsync(new SourceReference { Url = $"ssh://git@127.0.0.1:{port}/srv/repo.git", CredentialsName = "ssh" }, default);

        (await act.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.Unreachable);
    }

    [Fact]
    public async Task FetchAsync_KeyWithPassphrase_Works()
    {
        await using var locked = await SshGitServer.StartAsync(clientKeyPassphrase: "pass-phrase-42");
        var repo = await servers.NewRepositoryAsync();
        using var provider = servers.NewProvider(o => o.Credentials["ssh"] = new SourceCredentials
        {
            SshPrivateKey = locked.ClientPrivateKey,
            SshPassphrase = "pass-phrase-42",
            SshKnownHosts = locked.KnownHosts,
        });

        var artifact = await provider.FetchAsync(new SourceReference { Url = locked.UrlOf(repo.BareDirectory), CredentialsName = "ssh" }, default);

        artifact.Revision.Should().Be($"main@sha1:{await repo.HeadAsync()}");
    }

    private SourceCredentials Credentials() => new() { SshPrivateKey = ssh.ClientPrivateKey, SshKnownHosts = ssh.KnownHosts };
}
