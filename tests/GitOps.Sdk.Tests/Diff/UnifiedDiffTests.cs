using GitOps.Sdk.Diff;

namespace GitOps.Sdk.Tests.Diff;

public sealed class UnifiedDiffTests
{
    [Theory]
    [InlineData("abcabba", "cbabac", 5)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("abc", "abc", 0)]
    [InlineData("abcdef", "abXdef", 2)]
    public void Diff_LineSequences_FindsShortestEditScript(string a, string b, int edits)
    {
        var oldLines = a.Select(c => c.ToString()).ToList();
        var newLines = b.Select(c => c.ToString()).ToList();

        var script = UnifiedDiff.Diff(oldLines, newLines);

        script.Count(e => e.Op != UnifiedDiff.Op.Equal).Should().Be(edits);
        script.Where(e => e.Op != UnifiedDiff.Op.Insert).Select(e => e.Line).Should().Equal(oldLines);
        script.Where(e => e.Op != UnifiedDiff.Op.Delete).Select(e => e.Line).Should().Equal(newLines);
    }

    [Fact]
    public void Format_TwoDistantChanges_TwoHunks()
    {
        var a = string.Join('\n', Enumerable.Range(1, 20).Select(i => $"line{i}")) + "\n";
        var b = a.Replace("line2\n", "LINE2\n", StringComparison.Ordinal).Replace("line18\n", "LINE18\n", StringComparison.Ordinal);

        var text = UnifiedDiff.Format(a, b, "a", "b", 2);

        text.Should().Be(
            """
            --- a
            +++ b
            @@ -1,4 +1,4 @@
             line1
            -line2
            +LINE2
             line3
             line4
            @@ -16,5 +16,5 @@
             line16
             line17
            -line18
            +LINE18
             line19
             line20

            """.ReplaceLineEndings("\n"));
    }
}
