using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using GitOps.Sdk.TestUtilities;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace GitOps.Samples.Quickstart.Tests;

/// <summary>
/// A copied block must build in a reader's project: each ```csharp block is compiled, in the sample that holds it, with
/// only the using lines the block prints (and the implicit usings every .NET project has), and the code of the block
/// must then bind without an error — a block that leaves out <c>using GitOps.Sdk.Hosting;</c> fails here.
/// </summary>
public sealed class DocsSnippetUsingsTests
{
    /// <summary>The implicit usings of a plain Microsoft.NET.Sdk project (worker and web projects have more).</summary>
    private static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    public static TheoryData<string, int> Blocks() => DocsSnippetTests.Blocks();

    [Theory]
    [MemberData(nameof(Blocks))]
    public void CsharpBlock_CompilesWithTheUsingsItPrints(string document, int index)
    {
        var block = DocsBlocks.All().Single(b => b.Document == document && b.Index == index);

        var errors = Check(block, block.Usings);

        errors.Should().BeEmpty($"{block} must compile with the usings it prints ({string.Join(" ", block.Usings)}), as a reader copies it");
    }

    [Fact]
    public void Check_SeesAMissingUsing()
    {
        var block = DocsBlocks.All().Single(b => b.Document == "docs/getting-started.md");
        block.Usings.Should().Contain("using GitOps.Sdk.Hosting;");

        var errors = Check(block, [.. block.Usings.Where(u => u != "using GitOps.Sdk.Hosting;")]);

        errors.Should().Contain(e => e.Contains("IGitOpsController", StringComparison.Ordinal), "without the using, IGitOpsController does not bind");
    }

    /// <summary>Compiles the block's sample project with the block's file using only <paramref name="usings"/>; returns the errors inside the block.</summary>
    private static List<string> Check(DocsBlock block, IReadOnlyList<string> usings)
    {
        var location = DocsBlocks.Locate(block) ?? throw new InvalidOperationException($"{block} is in no sample (see DocsSnippetTests)");
        var project = ProjectDirectory(location.File);
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = new List<SyntaxTree>
        {
            CSharpSyntaxTree.ParseText(string.Join('\n', ImplicitUsings.Select(u => $"global using global::{u};")), parse, "ImplicitUsings.g.cs"),
        };
        SyntaxTree? target = null;
        foreach (var file in Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories).Where(f => !DocsBlocks.IsBuildOutput(f)))
        {
            var text = File.ReadAllText(file).ReplaceLineEndings("\n");
            if (file == location.File)
            {
                // The file as a reader has it: the block's usings in place of the file's own (line numbers kept).
                var kept = text.Split('\n').Select((l, i) => i < location.FirstLine && location.FileUsings.Contains(l.Trim()) ? "" : l);
                target = CSharpSyntaxTree.ParseText(string.Concat(usings.Select(u => u + "\n")) + string.Join('\n', kept), parse, file);
                trees.Add(target);
                continue;
            }

            trees.Add(CSharpSyntaxTree.ParseText(text, parse, file));
        }

        var result = Compile(project, trees);
        var blockSpan = Span(target!, usings.Count + location.FirstLine, usings.Count + location.LastLine);
        var usingsSpan = Span(target!, 0, Math.Max(0, usings.Count - 1));
        return [.. result.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree == target
                && (d.Location.SourceSpan.IntersectsWith(blockSpan) || (usings.Count > 0 && d.Location.SourceSpan.IntersectsWith(usingsSpan))))
            .Select(d => $"{d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)} at {d.Location.GetLineSpan().StartLinePosition}")];
    }

    private static CSharpCompilation Compile(string project, IEnumerable<SyntaxTree> trees) => CSharpCompilation.Create(
            "DocsBlockCheck",
            trees,
            References(project),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static TextSpan Span(SyntaxTree tree, int firstLine, int lastLine)
    {
        var text = tree.GetText();
        return TextSpan.FromBounds(text.Lines[firstLine].Start, text.Lines[lastLine].End);
    }

    private static string ProjectDirectory(string file)
    {
        for (var dir = Path.GetDirectoryName(file); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (Directory.EnumerateFiles(dir, "*.csproj").Any())
            {
                return dir;
            }
        }

        throw new InvalidOperationException($"{file} is in no project");
    }

    private static readonly ConcurrentDictionary<string, Lazy<ImmutableArray<MetadataReference>>> ReferencesByProject = new(StringComparer.Ordinal);

    /// <summary>The sample's build output and the shared frameworks, loaded once per project.</summary>
    private static ImmutableArray<MetadataReference> References(string project) =>
        ReferencesByProject.GetOrAdd(project, static p => new Lazy<ImmutableArray<MetadataReference>>(() => LoadReferences(p))).Value;

    private static ImmutableArray<MetadataReference> LoadReferences(string project)
    {
        var configuration = typeof(DocsSnippetUsingsTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Configuration").Value!;
        var output = Path.Combine(project, "bin", configuration, "net10.0");
        Directory.Exists(output).Should().BeTrue($"the sample {project} is built into {output} before this test runs");
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var shared = Path.GetDirectoryName(Path.GetDirectoryName(runtime))!;
        var aspnet = Directory.EnumerateDirectories(Path.Combine(shared, "Microsoft.AspNetCore.App"))
            .OrderBy(d => d == Path.Combine(shared, "Microsoft.AspNetCore.App", Path.GetFileName(runtime)) ? 0 : 1)
            .ThenByDescending(d => Path.GetFileName(d), StringComparer.Ordinal)
            .First();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var references = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (var dll in Directory.EnumerateFiles(output, "*.dll").Concat(Directory.EnumerateFiles(runtime, "*.dll")).Concat(Directory.EnumerateFiles(aspnet, "*.dll")))
        {
            if (IsManaged(dll) && seen.Add(Path.GetFileName(dll)))
            {
                references.Add(MetadataReference.CreateFromFile(dll));
            }
        }

        return references.ToImmutable();
    }

    private static bool IsManaged(string dll)
    {
        try
        {
            _ = AssemblyName.GetAssemblyName(dll);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
