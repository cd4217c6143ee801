using System.Text.RegularExpressions;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Samples.Quickstart.Tests;

/// <summary>A ```csharp block of README.md or docs/*.md: its leading <c>using</c> lines and the code after them.</summary>
/// <param name="Document">The document, relative to the repository root.</param>
/// <param name="Index">The block's position among the document's C# blocks.</param>
/// <param name="Usings">The block's own using directives, as printed.</param>
/// <param name="Body">The code after the using directives.</param>
internal sealed record DocsBlock(string Document, int Index, IReadOnlyList<string> Usings, string Body)
{
    /// <inheritdoc/>
    public override string ToString() => $"block {Index} of {Document}";
}

/// <summary>Where a block's code sits in a compiled sample: the file and the lines (0-based, inclusive) of its body.</summary>
internal sealed record DocsBlockLocation(string File, int FirstLine, int LastLine, IReadOnlyList<string> FileUsings);

/// <summary>Reads the docs' C# blocks and finds each in the samples the build compiles.</summary>
internal static partial class DocsBlocks
{
    private static readonly Lazy<IReadOnlyList<DocsBlock>> Blocks = new(Read);

    /// <summary>Gets every block of README.md and docs/*.md, read once per test run.</summary>
    public static IReadOnlyList<DocsBlock> All() => Blocks.Value;

    private static IReadOnlyList<DocsBlock> Read()
    {
        var root = TestPaths.RepositoryRoot;
        var files = new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal));
        var blocks = new List<DocsBlock>();
        foreach (var file in files)
        {
            var document = Path.GetRelativePath(root, file).Replace('\\', '/');
            var index = 0;
            foreach (Match m in CsharpBlock().Matches(File.ReadAllText(file).ReplaceLineEndings("\n")))
            {
                blocks.Add(Parse(document, index++, m.Groups["code"].Value));
            }
        }

        return blocks;
    }

    public static DocsBlock Parse(string document, int index, string code)
    {
        var lines = code.Split('\n');
        var usings = new List<string>();
        var i = 0;
        for (; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (!UsingDirective().IsMatch(line))
            {
                break;
            }

            usings.Add(line);
        }

        return new DocsBlock(document, index, usings, string.Join('\n', lines.Skip(i)));
    }

    /// <summary>The C# files of samples/ (not obj/ or bin/).</summary>
    public static IEnumerable<string> SampleSources() =>
        Directory.EnumerateFiles(Path.Combine(TestPaths.RepositoryRoot, "samples"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(f))
            .Order(StringComparer.Ordinal);

    public static bool IsBuildOutput(string path)
    {
        var sep = Path.DirectorySeparatorChar;
        return path.Contains($"{sep}obj{sep}", StringComparison.Ordinal) || path.Contains($"{sep}bin{sep}", StringComparison.Ordinal);
    }

    /// <summary>Finds the sample file holding the block's body as consecutive lines (indentation and blank lines aside).</summary>
    public static DocsBlockLocation? Locate(DocsBlock block)
    {
        var body = Significant(block.Body.Split('\n')).Select(l => l.Text).ToList();
        if (body.Count == 0)
        {
            return null;
        }

        foreach (var file in SampleSources())
        {
            var lines = File.ReadAllText(file).ReplaceLineEndings("\n").Split('\n');
            var significant = Significant(lines).ToList();
            for (var start = 0; start + body.Count <= significant.Count; start++)
            {
                if (significant[start].Text == body[0] && body.Select((l, k) => significant[start + k].Text == l).All(x => x))
                {
                    var usings = lines.Select(l => l.Trim()).Where(l => UsingDirective().IsMatch(l)).ToList();
                    return new DocsBlockLocation(file, significant[start].Line, significant[start + body.Count - 1].Line, usings);
                }
            }
        }

        return null;
    }

    private static IEnumerable<(string Text, int Line)> Significant(IEnumerable<string> lines) =>
        lines.Select((l, i) => (Text: l.Trim(), Line: i)).Where(l => l.Text.Length > 0);

    [GeneratedRegex(@"^```csharp\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CsharpBlock();

    [GeneratedRegex(@"^using\s+(static\s+)?[\w.=\s]+;$")]
    private static partial Regex UsingDirective();
}
