using GitOps.Sdk.TestUtilities.Git;

namespace GitOps.Sdk.Git.Tests.Verification;

/// <summary>Commits and tags signed by real <c>ssh-keygen</c> and <c>gpg</c> keys, served by a real <c>git daemon</c>.</summary>
public sealed class GitSourceVerificationTests : IClassFixture<GitServersFixture>, IClassFixture<SigningKeysFixture>
{
    private const string Policy = "release";
    private readonly GitServersFixture servers;
    private readonly SigningKeysFixture keys;

    public GitSourceVerificationTests(GitServersFixture servers, SigningKeysFixture keys)
    {
        this.servers = servers;
        this.keys = keys;
    }

    [Theory]
    [InlineData("ed25519")]
    [InlineData("rsa")]
    [InlineData("ecdsa")]
    public async Task FetchAsync_HeadMode_CommitSignedByAllowedSshKey_IsExportedAndNamesTheSigner(string type)
    {
        var key = keys.Ssh(type);
        var repo = await servers.NewRepositoryAsync();
        repo.Write("apps/web/signed.yaml", "kind: ConfigMap\n");
        var head = await repo.CommitSignedAndPushAsync("signed", key.Signing);
        using var provider = NewProvider();

        var artifact = await provider.FetchAsync(Source(repo), default);

        artifact.Revision.Should().Be($"main@sha1:{head}");
        artifact.Metadata["git.verifiedBy"].Should().Contain(key.Fingerprint).And.Contain("committer@example.test");
        artifact.Metadata["git.verification"].Should().Be("release (Head)");
        File.Exists(Path.Combine(artifact.RootDirectory, "apps/web/signed.yaml")).Should().BeTrue();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FetchAsync_HeadMode_CommitSignedByGivenOpenPgpKey_IsExportedAndNamesTheSigner(bool rsa)
    {
        var key = rsa ? keys.GpgRsa : keys.Gpg;
        var repo = await servers.NewRepositoryAsync();
        var head = await repo.CommitSignedAndPushAsync("signed with gpg", key.Signing);
        using var provider = NewProvider();

        var artifact = await provider.FetchAsync(Source(repo), default);

        artifact.Revision.Should().Be($"main@sha1:{head}");
        artifact.Metadata["git.verifiedBy"].Should().Contain(key.Fingerprint).And.Contain("committer@example.test");
    }

    [Fact]
    public async Task FetchAsync_HeadMode_UnsignedCommit_IsRefusedNamingRevisionAndPolicy()
    {
        var repo = await servers.NewRepositoryAsync();
        var head = await repo.HeadAsync();
        using var provider = NewProvider();

        var act = async () => await provider.FetchAsync(Source(repo), default);

        var refused = (await act.Should().ThrowAsync<SourceException>()).Which;
        refused.Kind.Should().Be(SourceErrorKind.Integrity);
        refused.Message.Should().Contain($"main@sha1:{head}").And.Contain("policy 'release' (mode Head)").And.Contain($"commit {head[..12]} is not signed")
            .And.Contain("nothing from it is applied or pruned");
    }

    [Fact]
    public async Task FetchAsync_HeadMode_SshKeyNotInAllowedSigners_IsRefusedNamingTheKeyFingerprint()
    {
        var repo = await servers.NewRepositoryAsync();
        await repo.CommitSignedAndPushAsync("signed by a stranger", keys.StrangerSsh.Signing);
        using var provider = NewProvider();

        var act = async () => await provider.FetchAsync(Source(repo), default);

        (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should()
            .Contain($"signed by SSH key {keys.StrangerSsh.Fingerprint} (ssh-ed25519), but the key is not in the allowed signers");
    }

    [Fact]
    public async Task FetchAsync_HeadMode_OpenPgpKeyNotGiven_IsRefusedNamingTheKeyId()
    {
        var repo = await servers.NewRepositoryAsync();
        await repo.CommitSignedAndPushAsync("signed by a stranger", keys.StrangerGpg.Signing);
        using var provider = NewProvider();

        var act = async () => await provider.FetchAsync(Source(repo), default);

        (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should()
            .Contain($"signed by OpenPGP key {keys.StrangerGpg.Fingerprint[^16..]}, but the key is not among the policy's OpenPGP public keys");
    }

    [Theory]
    [InlineData("ssh")]
    [InlineData("gpg")]
    public async Task FetchAsync_HeadMode_CommitWithCopiedSignatureAndOtherContent_IsRefused(string kind)
    {
        var repo = await servers.NewRepositoryAsync();
        var before = await repo.HeadAsync();
        repo.Write("apps/web/approved.yaml", "kind: ConfigMap\n");
        var signed = await repo.CommitSignedAndPushAsync("approved change", kind == "ssh" ? keys.Ed25519.Signing : keys.Gpg.Signing);
        var forged = await repo.ForgeCommitAsync(signed, treeOf: before);
        using var provider = NewProvider();

        var act = async () => await provider.FetchAsync(Source(repo), default);

        var message = (await act.Should().ThrowAsync<SourceException>()).Which.Message;
        message.Should().Contain($"main@sha1:{forged}").And.Contain("the signature does not match the signed content")
            .And.Contain(kind == "ssh" ? keys.Ed25519.Fingerprint : keys.Gpg.Fingerprint);
    }

    [Fact]
    public async Task FetchAsync_HeadMode_CommitExportedEarlierWithoutPolicy_IsStillVerified()
    {
        var repo = await servers.NewRepositoryAsync();
        var cache = servers.NewDirectory("shared-cache");
        using (var unverified = servers.NewProvider(o => o.CacheDirectory = cache))
        {
            await unverified.FetchAsync(new SourceReference { Url = servers.UrlOf(repo, Transport.Daemon), Ref = "main" }, default);
        }

        using var provider = NewProvider(o => o.CacheDirectory = cache);
        var act = async () => await provider.FetchAsync(Source(repo), default);

        (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain("is not signed", "a cached export is no way around verification");
    }

    [Fact]
    public async Task FetchAsync_HeadMode_BadRevisionAfterGoodOne_IsRefusedWhileTheGoodOneStaysFetchable()
    {
        var repo = await servers.NewRepositoryAsync();
        var good = await repo.CommitSignedAndPushAsync("good", keys.Ed25519.Signing);
        using var provider = NewProvider();
        (await provider.FetchAsync(Source(repo), default)).Revision.Should().Be($"main@sha1:{good}");

        repo.Write("apps/web/evil.yaml", "kind: ConfigMap\n");
        var bad = await repo.CommitAndPushAsync("unsigned");
        var act = async () => await provider.FetchAsync(Source(repo), default);

        (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain($"main@sha1:{bad}").And.Contain("is not signed");
        (await provider.FetchAsync(Source(repo) with { Ref = good }, default)).Metadata["git.verifiedBy"].Should().Contain(keys.Ed25519.Fingerprint);
    }

    [Theory]
    [InlineData("ssh", "v1.0.0")]
    [InlineData("gpg", "v1.0.0")]
    [InlineData("ssh", ">=1.0.0 <2.0.0")]
    public async Task FetchAsync_TagMode_SignedAnnotatedTag_IsExported(string kind, string reference)
    {
        var repo = await servers.NewRepositoryAsync();
        var tagged = await repo.HeadAsync();
        await repo.TagSignedAndPushAsync("v1.0.0", kind == "ssh" ? keys.Rsa.Signing : keys.Gpg.Signing);
        using var provider = NewProvider(mode: GitVerificationMode.Tag);

        var artifact = await provider.FetchAsync(Source(repo) with { Ref = reference }, default);

        artifact.Revision.Should().Be($"v1.0.0@sha1:{tagged}");
        artifact.Metadata["git.verifiedBy"].Should().Contain(kind == "ssh" ? keys.Rsa.Fingerprint : keys.Gpg.Fingerprint);
    }

    [Theory]
    [InlineData("unsigned-annotated", "tag 'v2' (")]
    [InlineData("lightweight", "tag 'v2' is a lightweight tag")]
    [InlineData("branch", "mode Tag needs a tag ref, and 'refs/heads/main' is not a tag")]
    [InlineData("stranger", "but the key is not in the allowed signers")]
    public async Task FetchAsync_TagMode_WithoutATrustedTagSignature_IsRefused(string what, string expected)
    {
        var repo = await servers.NewRepositoryAsync();
        await repo.CommitSignedAndPushAsync("a signed commit is not enough in mode Tag", keys.Ed25519.Signing);
        switch (what)
        {
            case "unsigned-annotated":
                await repo.TagAndPushAsync("v2", annotated: true);
                break;
            case "lightweight":
                await repo.TagAndPushAsync("v2", annotated: false);
                break;
            case "stranger":
                await repo.TagSignedAndPushAsync("v2", keys.StrangerSsh.Signing);
                break;
        }

        using var provider = NewProvider(mode: GitVerificationMode.Tag);

        var act = async () => await provider.FetchAsync(Source(repo) with { Ref = what == "branch" ? "main" : "v2" }, default);

        var refused = (await act.Should().ThrowAsync<SourceException>()).Which;
        refused.Kind.Should().Be(SourceErrorKind.Integrity);
        refused.Message.Should().Contain("(mode Tag)").And.Contain(expected);
        if (what == "unsigned-annotated")
        {
            refused.Message.Should().Contain(") is not signed");
        }
    }

    [Fact]
    public async Task FetchAsync_TagMode_TagMovedToAnotherCommitAfterTheFirstFetch_VerifiesTheNewTagObject()
    {
        var repo = await servers.NewRepositoryAsync();
        await repo.TagSignedAndPushAsync("v3", keys.Ed25519.Signing);
        var cache = servers.NewDirectory("shared-cache");
        using var provider = NewProvider(o => o.CacheDirectory = cache, GitVerificationMode.Tag);
        using var unverified = servers.NewProvider(o => o.CacheDirectory = cache);
        await provider.FetchAsync(Source(repo) with { Ref = "v3" }, default);

        // The cache holds the commit the tag will point at next (fetched through main), but not the new tag object.
        var next = await repo.CommitAndPushAsync("next");
        await unverified.FetchAsync(new SourceReference { Url = servers.UrlOf(repo, Transport.Daemon), Ref = "main" }, default);
        await GitTestRepository.GitAsync(repo.WorkTree, "tag", "-f", "-a", "v3", "-m", "moved, unsigned");
        await GitTestRepository.GitAsync(repo.WorkTree, "push", "-q", "--force", "origin", "refs/tags/v3");
        var act = async () => await provider.FetchAsync(Source(repo) with { Ref = "v3" }, default);

        var message = (await act.Should().ThrowAsync<SourceException>()).Which.Message;
        message.Should().Contain($"v3@sha1:{next}").And.Contain("is not signed");
    }

    [Theory]
    [InlineData("namespaces=\"file\"", "not allow the key for namespace 'git'")]
    [InlineData("valid-before=\"20000101Z\"", "the key was valid only before 2000-01-01")]
    [InlineData("valid-after=\"29990101\"", "the key is valid only after 2999-01-01")]
    [InlineData("namespaces=\"git,file\",valid-after=\"20000101Z\",valid-before=\"29990101Z\"", null)]
    public async Task FetchAsync_AllowedSignersOptions_AreHonouredAsSshKeygenDoes(string options, string? refusal)
    {
        var repo = await servers.NewRepositoryAsync();
        await repo.CommitSignedAndPushAsync("signed", keys.Ed25519.Signing);
        var policy = new GitVerificationOptions { Mode = GitVerificationMode.Head, AllowedSigners = keys.Ed25519.AllowedSignersLine(options: options) };
        using var provider = servers.NewProvider(o => o.Verification[Policy] = policy);

        var act = async () => await provider.FetchAsync(Source(repo), default);

        if (refusal is null)
        {
            await act.Should().NotThrowAsync();
        }
        else
        {
            (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain(keys.Ed25519.Fingerprint).And.Contain(refusal);
        }
    }

    [Theory]
    [InlineData("ssh", false, true)]
    [InlineData("ssh", true, false)]
    [InlineData("gpg", true, false)]
    public async Task FetchAsync_RequireSignerMatchesCommitter_ComparesPrincipalsAndUserIdsWithTheCommitter(string kind, bool require, bool accepted)
    {
        var repo = await servers.NewRepositoryAsync();
        await repo.CommitSignedAndPushAsync("signed", kind == "ssh" ? keys.Ed25519.Signing : keys.StrangerGpg.Signing);
        var policy = new GitVerificationOptions
        {
            Mode = GitVerificationMode.Head,
            AllowedSigners = keys.Ed25519.AllowedSignersLine("someone-else@example.test,*@other.test"),
            RequireSignerMatchesCommitter = require,
        };
        policy.OpenPgpPublicKeys.Add(keys.StrangerGpg.ArmoredPublicKey);
        using var provider = servers.NewProvider(o => o.Verification[Policy] = policy);

        var act = async () => await provider.FetchAsync(Source(repo), default);

        if (accepted)
        {
            await act.Should().NotThrowAsync("like git verify-commit, any principal of an allowed key counts");
        }
        else
        {
            (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should()
                .Contain(kind == "ssh" ? "do not match the signer 'committer@example.test'" : "no user ID of the key has the committer's address 'committer@example.test'");
        }
    }

    [Fact]
    public async Task FetchAsync_PolicyChosenByRepositoryPattern_AppliesWithoutSourceProperties()
    {
        var repo = await servers.NewRepositoryAsync();
        var policy = keys.Policy();
        policy.Repositories.Add("git://127.0.0.1:*/" + repo.Name + ".git");
        using var provider = servers.NewProvider(o =>
        {
            o.Verification[Policy] = policy;
            var other = keys.Policy();
            other.Repositories.Add("https://elsewhere.example/*");
            o.Verification["other"] = other;
        });
        var plain = new SourceReference { Url = servers.UrlOf(repo, Transport.Daemon), Ref = "main" };

        var act = async () => await provider.FetchAsync(plain, default);
        var fromFile = async () => await provider.FetchAsync(plain with { Url = servers.UrlOf(repo, Transport.File) }, default);

        (await act.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain("policy 'release'").And.Contain("is not signed");
        await fromFile.Should().NotThrowAsync("no policy's pattern matches the file:// spelling");
    }

    [Fact]
    public async Task FetchAsync_UnknownOrAmbiguousPolicy_IsRefusedBeforeAnythingIsFetched()
    {
        var repo = await servers.NewRepositoryAsync();
        using var provider = servers.NewProvider(o =>
        {
            foreach (var name in new[] { "a", "b" })
            {
                var policy = keys.Policy();
                policy.Repositories.Add("*");
                o.Verification[name] = policy;
            }
        });

        var unknown = async () => await provider.FetchAsync(Source(repo, "missing"), default);
        var ambiguous = async () => await provider.FetchAsync(new SourceReference { Url = servers.UrlOf(repo, Transport.Daemon) }, default);

        (await unknown.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain("names verification policy 'missing'");
        (await ambiguous.Should().ThrowAsync<SourceException>()).Which.Message.Should().Contain("policies 'a', 'b' all match");
    }

    private SourceReference Source(GitTestRepository repo, string policy = Policy) => new()
    {
        Url = servers.UrlOf(repo, Transport.Daemon),
        Ref = "main",
        Properties = new Dictionary<string, string> { [GitSourceProperties.Verification] = policy },
    };

    private GitSourceProvider NewProvider(Action<GitSourceOptions>? configure = null, GitVerificationMode mode = GitVerificationMode.Head) =>
        servers.NewProvider(o =>
        {
            o.Verification[Policy] = keys.Policy(mode);
            configure?.Invoke(o);
        });
}
