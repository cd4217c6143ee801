namespace GitOps.Samples.Quickstart.Tests;

/// <summary>
/// Every ```csharp block in README.md and docs/*.md must appear, line for line (indentation and blank lines aside), in
/// a C# file under samples/ — which the build compiles (samples/GitOps.Samples.Docs holds the ones no other sample
/// needs) — and the using lines it prints must be ones that file uses. <see cref="DocsSnippetUsingsTests"/> checks that
/// those usings are all the code needs.
/// </summary>
public sealed class DocsSnippetTests
{
    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var block in DocsBlocks.All())
        {
            data.Add(block.Document, block.Index);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void CsharpBlock_AppearsVerbatimInACompiledSample(string document, int index)
    {
        var block = DocsBlocks.All().Single(b => b.Document == document && b.Index == index);

        var location = DocsBlocks.Locate(block);

        location.Should().NotBeNull($"{block} must be kept, line for line, in a compiled sample:\n{block.Body}");
        if (block.Usings.Count > 0)
        {
            location!.FileUsings.Should().Contain(block.Usings, $"the usings {block} prints must be those of {location.File}");
        }
    }

    [Fact]
    public void Documents_HaveCsharpBlocks()
    {
        DocsBlocks.All().Select(b => b.Document).Distinct().Should().Contain(["README.md", "docs/getting-started.md", "docs/extending.md"]);
    }
}
