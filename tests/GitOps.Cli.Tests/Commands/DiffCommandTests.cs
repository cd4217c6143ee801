using System.CommandLine;
using System.Text.Json;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Cli.Tests.Commands;

public sealed class DiffCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Cases()
        => TestPaths.NonEmptyTheoryData(TestPaths.KubeLiveCaseNames, "kube-live/cases");

    private static async Task<(int ExitCode, string Stdout, string Stderr)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await Program.RunAsync(args, new InvocationConfiguration { Output = stdout, Error = stderr });
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    private static string CaseFile(string caseName, string file) => Path.Combine(TestPaths.KubeLive, "cases", caseName, file);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Diff_CorpusCaseJson_MatchesExpectedDriftPathsAndExitCode(string caseName)
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(CaseFile(caseName, "expected.json")));
        var expectedDrift = expected.RootElement.GetProperty("drift").GetBoolean();
        var expectedPaths = expected.RootElement.TryGetProperty("paths", out var p) ? p.EnumerateArray().Select(e => e.GetString()).ToArray() : [];

        var (exitCode, stdout, stderr) = await Run("diff", "--desired", CaseFile(caseName, "desired.yaml"), "--live", CaseFile(caseName, "live.json"), "--output", "json");

        stderr.Should().BeEmpty();
        exitCode.Should().Be(expectedDrift ? 1 : 0);
        using var result = JsonDocument.Parse(stdout);
        result.RootElement.GetProperty("drift").GetBoolean().Should().Be(expectedDrift);
        var objects = result.RootElement.GetProperty("objects").EnumerateArray().ToArray();
        objects.Should().ContainSingle();
        objects[0].GetProperty("paths").EnumerateArray().Select(e => e.GetString()).Should().BeEquivalentTo(expectedPaths);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Diff_CorpusCaseText_ExitCodeMatchesAndSecretsStayMasked(string caseName)
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(CaseFile(caseName, "expected.json")));
        var expectedDrift = expected.RootElement.GetProperty("drift").GetBoolean();

        var (exitCode, stdout, _) = await Run("diff", "--desired", CaseFile(caseName, "desired.yaml"), "--live", CaseFile(caseName, "live.json"));

        exitCode.Should().Be(expectedDrift ? 1 : 0);
        if (expectedDrift)
        {
            stdout.Should().Contain("--- live/").And.Contain("+++ desired/").And.Contain("@@ ");
        }
        else
        {
            stdout.Should().BeEmpty();
        }

        stdout.Should().NotContain("a2V5").And.NotContain("not-a-real-password").And.NotContain("bm90LWEtcmVhbC1wYXNzd29yZA");
    }

    [Fact]
    public async Task Diff_ScaledDeploymentJson_CarriesChangeAndAttribution()
    {
        var caseName = "31-drift-scale-replicas";

        var (exitCode, stdout, _) = await Run("diff", "--desired", CaseFile(caseName, "desired.yaml"), "--live", CaseFile(caseName, "live.json"), "-o", "json");

        exitCode.Should().Be(1);
        using var result = JsonDocument.Parse(stdout);
        var obj = result.RootElement.GetProperty("objects")[0];
        obj.GetProperty("key").GetString().Should().Be("apps/Deployment/fixtures/drift-scale");
        obj.GetProperty("action").GetString().Should().Be("update");
        var change = obj.GetProperty("changes")[0];
        change.GetProperty("path").GetString().Should().Be("/spec/replicas");
        change.GetProperty("kind").GetString().Should().Be("changed");
        change.GetProperty("desired").GetInt32().Should().Be(2);
        change.GetProperty("live").GetInt32().Should().Be(5);
        change.GetProperty("attribution").GetProperty("manager").GetString().Should().Be("kubectl");
        change.GetProperty("attribution").GetProperty("subresource").GetString().Should().Be("scale");
    }

    [Fact]
    public async Task Diff_LastAppliedFile_ReportsFieldRemovedFromDesired()
    {
        var caseName = "44-drift-removed-from-desired";
        var liveWithoutManagedFields = _temp.Combine("live.json");
        using (var live = JsonDocument.Parse(File.ReadAllText(CaseFile(caseName, "live.json"))))
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(live.RootElement.GetRawText())!;
            node["metadata"]!.AsObject().Remove("managedFields");
            File.WriteAllText(liveWithoutManagedFields, node.ToJsonString());
        }

        var without = await Run("diff", "--desired", CaseFile(caseName, "desired.yaml"), "--live", liveWithoutManagedFields, "-o", "json");
        var with = await Run("diff", "--desired", CaseFile(caseName, "desired.yaml"), "--live", liveWithoutManagedFields, "--last-applied", CaseFile(caseName, "desired-v1.yaml"), "-o", "json");

        without.ExitCode.Should().Be(0);
        with.ExitCode.Should().Be(1);
        using var result = JsonDocument.Parse(with.Stdout);
        result.RootElement.GetProperty("objects")[0].GetProperty("paths").EnumerateArray().Select(e => e.GetString()).Should().Equal("/metadata/labels/canary");
    }

    [Fact]
    public async Task Diff_ListOfLiveObjects_PairsByKeyAndReportsUndeclaredAsPrune()
    {
        var desired = _temp.Combine("desired.yaml");
        File.WriteAllText(desired, File.ReadAllText(CaseFile("02-configmap-multiline", "desired.yaml")) + "\n---\n" + File.ReadAllText(CaseFile("32-drift-set-image", "desired.yaml")));
        var list = $$"""
            {"apiVersion":"v1","kind":"List","items":[
              {{File.ReadAllText(CaseFile("32-drift-set-image", "live.json"))}},
              {{File.ReadAllText(CaseFile("04-secret-data", "live.json"))}},
              {{File.ReadAllText(CaseFile("02-configmap-multiline", "live.json"))}}
            ]}
            """;
        var live = _temp.Combine("live.json");
        File.WriteAllText(live, list);

        var (exitCode, stdout, stderr) = await Run("diff", "--desired", desired, "--live", live, "--output", "json");
        stderr.Should().BeEmpty();

        exitCode.Should().Be(1);
        using var result = JsonDocument.Parse(stdout);
        result.RootElement.GetProperty("objects").EnumerateArray()
            .Select(o => (o.GetProperty("action").GetString(), string.Join(",", o.GetProperty("paths").EnumerateArray().Select(e => e.GetString()))))
            .Should().Equal(
                ("unchanged", ""),
                ("update", "/spec/template/spec/containers/0/image"),
                ("prune", "/"));
        stdout.Should().NotContain("c2VjcmV0", "the pruned Secret's data is masked too");
    }

    [Fact]
    public async Task Diff_LiveNull_CreateWithRootPath()
    {
        var caseName = "43-drift-object-deleted";

        var (exitCode, stdout, _) = await Run("diff", "--desired", CaseFile(caseName, "desired.yaml"), "--live", CaseFile(caseName, "live.json"));

        exitCode.Should().Be(1);
        stdout.Should().Contain("create").And.Contain("@@ -0,0 +1,");
    }

    [Fact]
    public async Task Diff_MissingFile_ExitsTwo()
    {
        var (exitCode, _, stderr) = await Run("diff", "--desired", _temp.Combine("nope.yaml"), "--live", CaseFile("02-configmap-multiline", "live.json"));

        exitCode.Should().Be(2);
        stderr.Should().Contain("nope.yaml");
    }

    [Fact]
    public async Task Diff_InvalidLiveJson_ExitsTwo()
    {
        var live = _temp.Combine("live.json");
        File.WriteAllText(live, "{ not json");

        var (exitCode, _, stderr) = await Run("diff", "--desired", CaseFile("02-configmap-multiline", "desired.yaml"), "--live", live);

        exitCode.Should().Be(2);
        stderr.Should().Contain("live.json");
    }

    [Fact]
    public async Task Diff_InvalidDesiredYaml_ExitsTwo()
    {
        var desired = _temp.Combine("desired.yaml");
        File.WriteAllText(desired, "apiVersion: v1\nkind: ConfigMap\nmetadata: [unclosed\n");

        var (exitCode, _, stderr) = await Run("diff", "--desired", desired, "--live", CaseFile("02-configmap-multiline", "live.json"));

        exitCode.Should().Be(2);
        stderr.Should().Contain("desired.yaml");
    }

    [Theory]
    [InlineData("diff", "--live", "x.json")]
    [InlineData("diff", "--desired", "a.yaml", "--live", "b.json", "--output", "xml")]
    [InlineData("diff", "--desired", "a.yaml", "--live", "b.json", "--bogus")]
    public async Task Diff_UsageError_ExitsTwo(params string[] args)
    {
        var (exitCode, _, _) = await Run(args);

        exitCode.Should().Be(2);
    }
}
