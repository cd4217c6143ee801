using System.Text.RegularExpressions;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Samples.Quickstart.Tests;

/// <summary>
/// Every ```csharp block in README.md and docs/*.md must appear, line for line (indentation aside), in a C# file under
/// samples/ — which the build compiles (samples/GitOps.Samples.Docs holds the ones no other sample needs).
/// </summary>
public sealed partial class DocsSnippetTests
{
    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var (file, blocks) in Documents())
        {
            for (var i = 0; i < blocks.Count; i++)
            {
                data.Add(file, i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void CsharpBlock_AppearsVerbatimInACompiledSample(string document, int index)
    {
        var block = Normalize(Documents().Single(d => d.File == document).Blocks[index]);
        var sources = Directory.EnumerateFiles(Path.Combine(TestPaths.RepositoryRoot, "samples"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => Normalize(File.ReadAllText(f)));

        sources.Should().Contain(s => s.Contains(block, StringComparison.Ordinal), $"block {index} of {document} must be kept in a compiled sample:\n{block}");
    }

    [Fact]
    public void Documents_HaveCsharpBlocks()
    {
        Documents().Select(d => d.File).Should().Contain(["README.md", "docs/getting-started.md", "docs/extending.md"]);
    }

    private static List<(string File, List<string> Blocks)> Documents()
    {
        var root = TestPaths.RepositoryRoot;
        var files = new[] { Path.Combine(root, "README.md") }.Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal));
        return [.. files
            .Select(f => (File: Path.GetRelativePath(root, f).Replace('\\', '/'), Blocks: CsharpBlock().Matches(File.ReadAllText(f)).Select(m => m.Groups["code"].Value).ToList()))
            .Where(d => d.Blocks.Count > 0)];
    }

    private static string Normalize(string text) =>
        string.Join('\n', text.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    [GeneratedRegex(@"^```csharp\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CsharpBlock();
}
