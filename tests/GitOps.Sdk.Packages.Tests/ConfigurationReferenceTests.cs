using System.IO.Compression;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Packages.Tests;

/// <summary>
/// docs/configuration.md's key table and the shipped gitops.schema.json are generated from the options types; these tests
/// fail when either drifts from the types. To regenerate both after changing an options type:
/// <c>GITOPS_UPDATE_CONFIGURATION_REFERENCE=1 dotnet test tests/GitOps.Sdk.Packages.Tests --filter ConfigurationReferenceTests</c>.
/// </summary>
public sealed class ConfigurationReferenceTests
{
    private static readonly string DocsFile = Path.Combine(TestPaths.RepositoryRoot, "docs", "configuration.md");
    private static readonly string SchemaFile = Path.Combine(TestPaths.RepositoryRoot, "src", "GitOps.Sdk", "gitops.schema.json");
    private static readonly bool Update = Environment.GetEnvironmentVariable("GITOPS_UPDATE_CONFIGURATION_REFERENCE") == "1";

    [Fact]
    public void KeyTable_InDocsConfiguration_MatchesTheOptionsTypes()
    {
        var expected = ConfigurationReference.Markdown(ConfigurationReference.BuildTree());
        var docs = File.ReadAllText(DocsFile).Replace("\r\n", "\n", StringComparison.Ordinal);
        var begin = docs.IndexOf(ConfigurationReference.Begin, StringComparison.Ordinal);
        var end = docs.IndexOf(ConfigurationReference.End, StringComparison.Ordinal);
        begin.Should().BeGreaterThanOrEqualTo(0, "docs/configuration.md holds the generated key table between its markers");
        end.Should().BeGreaterThan(begin);
        var committed = docs[begin..(end + ConfigurationReference.End.Length)];

        if (Update && committed != expected)
        {
            File.WriteAllText(DocsFile, docs[..begin] + expected + docs[(end + ConfigurationReference.End.Length)..]);
            return;
        }

        committed.Should().Be(expected, "the key table is generated from the options types; regenerate it with GITOPS_UPDATE_CONFIGURATION_REFERENCE=1 (see this test's summary)");
    }

    [Fact]
    public void Schema_ShippedWithTheEngine_MatchesTheOptionsTypes()
    {
        var expected = ConfigurationReference.Schema(ConfigurationReference.BuildTree());
        var committed = File.ReadAllText(SchemaFile).Replace("\r\n", "\n", StringComparison.Ordinal);

        if (Update && committed != expected)
        {
            File.WriteAllText(SchemaFile, expected);
            return;
        }

        committed.Should().Be(expected, "gitops.schema.json is generated from the options types; regenerate it with GITOPS_UPDATE_CONFIGURATION_REFERENCE=1 (see this test's summary)");
    }

    [Fact]
    public void KeyTable_ListsTheKeysOperatorsLookFor()
    {
        var table = ConfigurationReference.Markdown(ConfigurationReference.BuildTree());

        table.Should().Contain("| `GitOps:Applications:<name>:Interval` | duration | 5 minutes |");
        table.Should().Contain("| `GitOps:Target:Kubeconfig` | string |");
        table.Should().Contain("| `GitOps:Target:Context` | string |");
        table.Should().Contain("| `GitOps:LeaderElection:LeaseName` | string |");
        table.Should().Contain("| `GitOps:Sources:Git:Credentials:<name>:Username` | string |");
        table.Should().Contain("| `GitOps:Renderers:Helm:HelmPath` | string |");
        table.Should().Contain("| `GitOps:Applications:<name>:Helm:ReleaseName` | string |");
        table.Should().NotContain("Client", "a ready client is set in code only");
    }

    [Fact]
    public async Task EnginePackage_ShipsTheSchema()
    {
        using var temp = new TempDirectory("gitops-schema-pack");
        var project = Path.Combine(TestPaths.RepositoryRoot, "src", "GitOps.Sdk", "GitOps.Sdk.csproj");

        // Restored already by the solution build; Release so the tests' Debug output is left alone.
        var pack = await ProcessRunner.RunAsync("dotnet", ["pack", project, "-c", "Release", "--no-restore", "-o", temp.Path, "-p:GitOpsSourceLink=false", "-nologo"], timeout: TimeSpan.FromMinutes(8));
        pack.ExitCode.Should().Be(0, pack.StandardOutput + pack.StandardError);

        var package = Directory.GetFiles(temp.Path, "GitOps.Sdk.*.nupkg").Where(p => !p.EndsWith(".snupkg", StringComparison.Ordinal)).Should().ContainSingle().Subject;
        using var zip = ZipFile.OpenRead(package);
        var entry = zip.GetEntry("gitops.schema.json");
        entry.Should().NotBeNull("the schema sits at the package root, next to lib/");
        using var reader = new StreamReader(entry!.Open());
        (await reader.ReadToEndAsync()).Should().Be(await File.ReadAllTextAsync(SchemaFile));
    }
}
