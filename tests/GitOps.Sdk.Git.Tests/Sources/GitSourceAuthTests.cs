using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;

namespace GitOps.Sdk.Git.Tests.Sources;

public sealed class GitSourceAuthTests : IAsyncLifetime
{
    private const string Password = "s3cret-Pa55word";
    private const string Token = "tok-0123456789abcdef";
    private readonly TempDirectory temp = new("gitops-git-auth");
    private GitHttpServer basic = null!;
    private GitHttpServer bearer = null!;
    private GitTestRepository repo = null!;

    public async Task InitializeAsync()
    {
        var root = temp.Combine("served");
        Directory.CreateDirectory(root);
        repo = await GitTestRepository.CreateAsync(root, "private");
        repo.Write("deploy/app.yaml", "kind: ConfigMap\n");
        await repo.CommitAndPushAsync("initial");
        basic = await GitHttpServer.StartAsync(new GitHttpServerOptions { Root = root, UserName = "deploy", Password = Password });
        bearer = await GitHttpServer.StartAsync(new GitHttpServerOptions { Root = root, BearerToken = Token });
    }

    public async Task DisposeAsync()
    {
        await basic.DisposeAsync();
        await bearer.DisposeAsync();
        temp.Dispose();
    }

    [Fact]
    public async Task FetchAsync_BasicAuthFromOptions_Succeeds()
    {
        using var provider = Provider(o => o.Credentials["deploy"] = new SourceCredentials { Username = "deploy", Password = Password });

        var artifact = await provider.FetchAsync(Source(basic, "deploy"), default);

        artifact.Revision.Should().Be($"main@sha1:{await repo.HeadAsync()}");
        basic.UploadPackRequests.Should().BePositive();
    }

    [Fact]
    public async Task FetchAsync_BasicAuthFromCredentialProvider_Succeeds()
    {
        var credentials = new StaticCredentials(new SourceCredentials { Username = "deploy", Password = Password });
        using var provider = Provider(credentials: [credentials]);

        var artifact = await provider.FetchAsync(Source(basic, "from-provider"), default);

        artifact.Digest.Should().StartWith("sha256:");
        credentials.Asked.Should().Contain("from-provider");
    }

    [Fact]
    public async Task FetchAsync_WrongPassword_ThrowsUnauthorizedWithoutThePassword()
    {
        const string wrong = "wrong-Pa55word-xyz";
        using var provider = Provider(o => o.Credentials["deploy"] = new SourceCredentials { Username = "deploy", Password = wrong });

        var act = async () => await provider.FetchAsync(Source(basic, "deploy"), default);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Unauthorized);
        error.Message.Should().Contain(basic.UrlOf("private")).And.Contain("deploy").And.NotContain(wrong).And.NotContain(Password);
        error.ToString().Should().NotContain(wrong);
    }

    [Fact]
    public async Task FetchAsync_NoCredentials_ThrowsUnauthorized()
    {
        using var provider = Provider();

        var act = async () => await provider.FetchAsync(Source(basic, null), default);

        (await act.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.Unauthorized);
    }

    [Fact]
    public async Task FetchAsync_PasswordInUrl_IsUsedButNeverPrinted()
    {
        using var provider = Provider();
        var url = basic.UrlOf("private").Replace("://", $"://deploy:{Password}@", StringComparison.Ordinal);

        var artifact = await provider.FetchAsync(new SourceReference { Url = url, Ref = "main" }, default);
        var wrongUrl = url.Replace(Password, "nope-nope-nope", StringComparison.Ordinal);
        var act = async () => await provider.FetchAsync(new SourceReference { Url = wrongUrl, Ref = "main" }, default);

        artifact.Revision.Should().StartWith("main@sha1:");
        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Unauthorized);
        error.ToString().Should().NotContain("nope-nope-nope");
        Directory.EnumerateFileSystemEntries(temp.Path, "*", SearchOption.AllDirectories).Should().NotContain(p => p.Contains(Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FetchAsync_BearerToken_IsSentOnResolveAndFetch()
    {
        using var provider = Provider(o => o.Credentials["ci"] = new SourceCredentials { BearerToken = Token });

        var artifact = await provider.FetchAsync(Source(bearer, "ci"), default);

        artifact.Revision.Should().Be($"main@sha1:{await repo.HeadAsync()}");
        bearer.UploadPackRequests.Should().BePositive();
        bearer.UnauthorizedResponses.Should().Be(0);
    }

    [Fact]
    public async Task FetchAsync_WrongBearerToken_ThrowsUnauthorizedWithoutTheToken()
    {
        using var provider = Provider(o => o.Credentials["ci"] = new SourceCredentials { BearerToken = "tok-wrong-wrong" });

        var act = async () => await provider.FetchAsync(Source(bearer, "ci"), default);

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Unauthorized);
        error.ToString().Should().NotContain("tok-wrong-wrong");
    }

    [Fact]
    public async Task FetchAsync_UnknownCredentialsName_ThrowsUnauthorized()
    {
        using var provider = Provider();

        var act = async () => await provider.ResolveAsync(Source(basic, "nobody"), default);

        (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain("nobody");
    }

    private GitSourceProvider Provider(Action<GitSourceOptions>? configure = null, IEnumerable<ICredentialProvider>? credentials = null) =>
        new(Microsoft.Extensions.Options.Options.Create(Configure(configure)), credentials);

    private GitSourceOptions Configure(Action<GitSourceOptions>? configure)
    {
        var options = new GitSourceOptions { CacheDirectory = temp.Combine("cache-" + Guid.NewGuid().ToString("N")) };
        configure?.Invoke(options);
        return options;
    }

    private SourceReference Source(GitHttpServer server, string? credentialsName) =>
        new() { Url = server.UrlOf("private"), Ref = "main", CredentialsName = credentialsName };

    private sealed class StaticCredentials(SourceCredentials credentials) : ICredentialProvider
    {
        public List<string> Asked { get; } = [];

        public ValueTask<SourceCredentials?> GetCredentialsAsync(SourceReference source, CancellationToken cancellationToken)
        {
            lock (Asked)
            {
                Asked.Add(source.CredentialsName ?? string.Empty);
            }

            return ValueTask.FromResult<SourceCredentials?>(credentials);
        }
    }
}
