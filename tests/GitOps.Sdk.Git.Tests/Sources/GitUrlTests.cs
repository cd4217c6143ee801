using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Git.Tests.Sources;

public sealed class GitUrlTests
{
    [Theory]
    [InlineData("https://git.example.com/shop/deploy.git", true)]
    [InlineData("https://git.example.com/shop/deploy.git/", true)]
    [InlineData("https://git.example.com/shop/deploy", false)]
    [InlineData("https://charts.example.com", false)]
    [InlineData("git://git.example.com/deploy", true)]
    [InlineData("ssh://git@git.example.com:2222/shop/deploy", true)]
    [InlineData("git@github.com:shop/deploy.git", true)]
    [InlineData("file:///srv/git/deploy.git", true)]
    [InlineData("oci://registry.example.com/charts/web", false)]
    [InlineData("/definitely/not/a/repository", false)]
    public void CanHandle_ByUrl_RecognisesGitLocations(string url, bool expected)
    {
        using var provider = new GitSourceProvider(Options.Create(new GitSourceOptions()));

        provider.CanHandle(new SourceReference { Url = url }).Should().Be(expected);
    }

    [Fact]
    public void CanHandle_TypeGit_WinsOverTheUrlAndOtherTypesLose()
    {
        using var provider = new GitSourceProvider(Options.Create(new GitSourceOptions()));

        provider.CanHandle(new SourceReference { Url = "https://example.com/no-suffix", Type = "git" }).Should().BeTrue();
        provider.CanHandle(new SourceReference { Url = "https://example.com/repo.git", Type = SourceTypes.HelmRepository }).Should().BeFalse();
    }

    [Fact]
    public async Task CanHandle_LocalFolderHoldingARepository_IsTrue()
    {
        using var temp = new TempDirectory();
        await ProcessRunner.RunCheckedAsync("git", ["init", "-q", temp.Path]);
        using var provider = new GitSourceProvider(Options.Create(new GitSourceOptions()));

        provider.CanHandle(new SourceReference { Url = temp.Path }).Should().BeTrue();
        provider.CanHandle(new SourceReference { Url = temp.Combine("missing") }).Should().BeFalse();
    }

    [Fact]
    public void Parse_SpellingsOfOneRepository_ShareACacheKey()
    {
        var keys = new[]
        {
            "https://Git.Example.com/shop/deploy.git",
            "https://git.example.com/shop/deploy",
            "https://user:pw@git.example.com:443/shop/deploy.git/",
        }.Select(u => GitUrl.Parse(u).CacheKey).Distinct();

        keys.Should().ContainSingle();
        GitUrl.Parse("https://git.example.com/shop/other.git").CacheKey.Should().NotBe(GitUrl.Parse("https://git.example.com/shop/deploy.git").CacheKey);
    }

    [Fact]
    public void Parse_CredentialsInUrl_AreTakenOutOfTheConnectAndDisplayUrls()
    {
        var url = GitUrl.Parse("https://deploy:hunter2@git.example.com/shop/deploy.git");

        url.ConnectUrl.Should().Be("https://git.example.com/shop/deploy.git");
        url.Display.Should().NotContain("hunter2");
        url.UrlUserName.Should().Be("deploy");
        url.UrlPassword.Should().Be("hunter2");
        url.CacheKey.Should().MatchRegex("^[0-9a-f]{32}$");
    }

    [Fact]
    public void Parse_ScpLikeAndSsh_KeepTheUserAndUseSsh()
    {
        var scp = GitUrl.Parse("git@github.com:shop/deploy.git");
        var ssh = GitUrl.Parse("ssh://git@github.com:2222/shop/deploy.git");

        scp.Transport.Should().Be(GitTransport.Ssh);
        scp.ConnectUrl.Should().Be("git@github.com:shop/deploy.git");
        ssh.Transport.Should().Be(GitTransport.Ssh);
        ssh.ConnectUrl.Should().Be("ssh://git@github.com:2222/shop/deploy.git");
    }

    [Fact]
    public void Parse_UnsupportedScheme_ThrowsSourceException()
    {
        var act = () => GitUrl.Parse("ftp://example.com/repo.git");

        act.Should().Throw<SourceException>().Which.Message.Should().Contain("ftp");
    }
}
