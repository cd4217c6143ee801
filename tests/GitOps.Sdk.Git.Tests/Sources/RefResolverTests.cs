using System.Text;

namespace GitOps.Sdk.Git.Tests.Sources;

public sealed class RefResolverTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";

    [Theory]
    [InlineData(null, SourceRefKind.Auto, "Head")]
    [InlineData("main", SourceRefKind.Auto, "BranchOrTag")]
    [InlineData("v1.4.2", SourceRefKind.Auto, "BranchOrTag")]
    [InlineData(Sha, SourceRefKind.Auto, "Commit")]
    [InlineData("refs/pull/7/head", SourceRefKind.Auto, "FullRef")]
    [InlineData(">=1.2.0 <2.0.0", SourceRefKind.Auto, "Semver")]
    [InlineData("^1.4", SourceRefKind.Auto, "Semver")]
    [InlineData("1.x", SourceRefKind.Auto, "Semver")]
    [InlineData("1.4.2", SourceRefKind.Semver, "Semver")]
    [InlineData("main", SourceRefKind.Tag, "Tag")]
    [InlineData("v1", SourceRefKind.Branch, "Branch")]
    public void Classify_Ref_ReadsItAsUsersExpect(string? reference, SourceRefKind kind, string expected) =>
        RefResolver.Classify(new SourceReference { Url = "git://h/r", Ref = reference, RefKind = kind }, "git://h/r").Should().Be(Enum.Parse<GitRefKind>(expected));

    [Fact]
    public void Classify_ShortShaAsCommit_IsRefused() =>
        FluentActions.Invoking(() => RefResolver.Classify(new SourceReference { Url = "u", Ref = "abc1234", RefKind = SourceRefKind.Commit }, "u"))
            .Should().Throw<SourceException>().Which.Kind.Should().Be(SourceErrorKind.RefNotFound);

    [Fact]
    public void Resolve_BranchAndTagOfTheSameName_PrefersTheBranch()
    {
        var refs = new RemoteRefs();
        refs.Add("refs/heads/release", Sha);
        refs.Add("refs/tags/release", new string('b', 40));

        var resolved = RefResolver.Resolve(GitRefKind.BranchOrTag, new SourceReference { Url = "u", Ref = "release" }, refs, "u");

        resolved.Revision.Should().Be($"release@sha1:{Sha}");
        RefResolver.RefSpecs(resolved).Should().Equal("+refs/heads/release:refs/heads/release");
    }

    [Fact]
    public void Parse_SmartHttpAdvertisement_ReadsRefsPeeledTagsAndHead()
    {
        var body = Pkt("# service=git-upload-pack\n") + "0000"
            + Pkt($"{Sha} HEAD\0multi_ack symref=HEAD:refs/heads/trunk agent=git/2.39\n")
            + Pkt($"{Sha} refs/heads/trunk\n")
            + Pkt($"{new string('c', 40)} refs/tags/v1.0.0\n")
            + Pkt($"{Sha} refs/tags/v1.0.0^{{}}\n")
            + "0000";

        var refs = SmartHttpRefLister.Parse(Encoding.UTF8.GetBytes(body), "u");

        refs.HeadTarget.Should().Be("refs/heads/trunk");
        refs.CommitOf("refs/tags/v1.0.0").Should().Be(Sha, "annotated tags are peeled");
        refs.Tags.Should().Equal("v1.0.0");
    }

    [Fact]
    public void Parse_EmptyRepositoryAdvertisement_HasNoRefs()
    {
        var body = Pkt("# service=git-upload-pack\n") + "0000" + Pkt($"{new string('0', 40)} capabilities^{{}}\0agent=git/2.39\n") + "0000";

        var refs = SmartHttpRefLister.Parse(Encoding.UTF8.GetBytes(body), "u");

        refs.Count.Should().Be(0);
        FluentActions.Invoking(() => RefResolver.Resolve(GitRefKind.Head, new SourceReference { Url = "u" }, refs, "u"))
            .Should().Throw<SourceException>().Which.Kind.Should().Be(SourceErrorKind.RefNotFound);
    }

    private static string Pkt(string line) => (Encoding.UTF8.GetByteCount(line) + 4).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) + line;
}
