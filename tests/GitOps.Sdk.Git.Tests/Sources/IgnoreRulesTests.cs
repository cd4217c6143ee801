namespace GitOps.Sdk.Git.Tests.Sources;

public sealed class IgnoreRulesTests
{
    [Theory]
    [InlineData("*.md", "README.md", false, true)]
    [InlineData("*.md", "docs/deep/guide.md", false, true)]
    [InlineData("/README.md", "docs/README.md", false, false)]
    [InlineData("/README.md", "README.md", false, true)]
    [InlineData("docs/", "docs", true, true)]
    [InlineData("docs/", "docs", false, false)]
    [InlineData("build/*.yaml", "build/a.yaml", false, true)]
    [InlineData("build/*.yaml", "build/sub/a.yaml", false, false)]
    [InlineData("build/**/a.yaml", "build/x/y/a.yaml", false, true)]
    [InlineData("build/**/a.yaml", "build/a.yaml", false, true)]
    [InlineData("**/tmp", "x/y/tmp", true, true)]
    [InlineData("secret/**", "secret/a/b", false, true)]
    [InlineData("file?.txt", "file1.txt", false, true)]
    [InlineData("file?.txt", "file10.txt", false, false)]
    [InlineData("[ab].yaml", "b.yaml", false, true)]
    [InlineData("[!ab].yaml", "b.yaml", false, false)]
    [InlineData("\\#hash", "#hash", false, true)]
    [InlineData("# comment", "# comment", false, false)]
    public void IsMatch_GitignorePatterns_MatchLikeGit(string pattern, string path, bool isDirectory, bool expected)
    {
        var rules = new IgnoreRules();
        rules.Add([pattern], string.Empty, "test");

        rules.IsMatch(path, isDirectory).Should().Be(expected);
    }

    [Fact]
    public void IsMatch_NegationAfterMatch_ReIncludes()
    {
        var rules = new IgnoreRules();
        rules.Add(["*.yaml", "!keep.yaml"], string.Empty, "test");

        rules.IsMatch("drop.yaml", false).Should().BeTrue();
        rules.IsMatch("keep.yaml", false).Should().BeFalse();
    }

    [Fact]
    public void IsMatch_RulesOfANestedFile_ApplyOnlyBelowIt()
    {
        var rules = new IgnoreRules();
        rules.Add(["/local.yaml"], "apps/web", "apps/web/.sourceignore");

        rules.IsMatch("apps/web/local.yaml", false).Should().BeTrue();
        rules.IsMatch("local.yaml", false).Should().BeFalse();
        rules.IsMatch("apps/api/local.yaml", false).Should().BeFalse();
    }
}

public sealed class IgnoreRulesBacktrackingTests
{
    [Fact]
    public void IsMatch_ManyDoubleStarSegments_MatchesWithoutTimingOut()
    {
        // 25 "**/x" segments against a path of 60 "x" folders: a backtracking engine tries exponentially many splits.
        var pattern = string.Join('/', Enumerable.Repeat("**/x", 25)) + "/never.yaml";
        var path = string.Join('/', Enumerable.Repeat("x", 60)) + "/file.yaml";
        var rules = new IgnoreRules();
        rules.Add([pattern], string.Empty, "apps/.sourceignore");

        // A backtracking engine exceeds the 1 s match timeout here (an error naming apps/.sourceignore); this must not.
        rules.IsMatch(path, isDirectory: false).Should().BeFalse();
        rules.IsMatch(string.Join('/', Enumerable.Repeat("x", 30)) + "/never.yaml", isDirectory: false).Should().BeTrue();
    }
}
