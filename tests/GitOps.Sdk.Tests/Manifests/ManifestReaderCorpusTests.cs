using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Sdk.Manifests;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Tests.Manifests;

/// <summary>Every manifest and every object recorded from a real API server (kube-live corpus) loads.</summary>
public sealed class ManifestReaderCorpusTests
{
    private static readonly ManifestReader Reader = new();

    public static TheoryData<string> CaseNames => TestPaths.NonEmptyTheoryData(TestPaths.KubeLiveCaseNames, "kube-live/cases");

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ReadFile_DesiredYaml_LoadsOneNamedObject(string caseName)
    {
        var files = TestPaths.KubeLiveCaseFiles(caseName, "*.yaml");
        files.Select(Path.GetFileName).Should().Contain("desired.yaml");
        foreach (var file in files)
        {
            var display = $"{caseName}/{Path.GetFileName(file)}";
            var result = Reader.ReadFile(file, display);

            result.Errors.Should().BeEmpty();
            var obj = result.Objects.Should().ContainSingle().Subject;
            obj.Name.Should().NotBeEmpty();
            obj.Origin!.File.Should().Be(display);
            obj.Origin.DocumentIndex.Should().Be(0);
            obj.Origin.Line.Should().BeGreaterThan(0);
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ReadFile_LiveAndDryRunJson_EqualTheJsonItself(string caseName)
    {
        var files = TestPaths.KubeLiveCaseFiles(caseName, "*.json").Where(f => Path.GetFileName(f) != "expected.json").ToList();
        files.Select(Path.GetFileName).Should().Contain(["live.json", "dryrun.json"], "every case records the live object and the dry-run answer");
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            using var document = JsonDocument.Parse(text);
            var isStatus = document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("kind", out var kind) && kind.GetString() == "Status";
            var reader = isStatus ? new ManifestReader(new ManifestReaderOptions { RequireName = false }) : Reader;

            var result = reader.ReadFile(file, Path.GetFileName(file));

            result.Errors.Should().BeEmpty($"{caseName}/{Path.GetFileName(file)} must load");
            if (document.RootElement.ValueKind == JsonValueKind.Null)
            {
                result.Objects.Should().BeEmpty("a deleted object is recorded as the literal null");
                continue;
            }

            var obj = result.Objects.Should().ContainSingle().Subject;
            obj.Should().Be(KubeObject.Parse(text), "reading JSON through the YAML reader must not change any value");
        }
    }

    [Fact]
    public void ReadFile_DeletedObject_IsNoObject()
    {
        var result = Reader.ReadFile(Path.Combine(TestPaths.KubeLive, "cases", "43-drift-object-deleted", "live.json"), "live.json");

        result.Succeeded.Should().BeTrue();
        result.Objects.Should().BeEmpty();
    }

    [Fact]
    public void ReadFile_StatusResponse_IsNotAnObjectByDefault()
    {
        var result = Reader.ReadFile(Path.Combine(TestPaths.KubeLive, "cases", "41-drift-service-port-changed", "dryrun.json"), "dryrun.json");

        var error = result.Errors.Should().ContainSingle().Subject;
        (error.Code, error.DocumentIndex, error.Line, error.Column).Should().Be((ManifestErrorCodes.MissingName, 0, 1, 47), "the error points at the empty metadata mapping");
        error.Object.Should().Be(new ResourceKey(string.Empty, "Status", string.Empty, string.Empty));
    }

    [Fact]
    public void ReadFile_OverStreamLimit_RefusedBeforeReading()
    {
        var file = Path.Combine(TestPaths.KubeLive, "cases", "09-deployment-realistic", "desired.yaml");

        var result = new ManifestReader(new ManifestReaderOptions { MaxStreamBytes = 100 }).ReadFile(file, "desired.yaml");

        result.Errors.Should().ContainSingle().Which.Code.Should().Be(ManifestErrorCodes.StreamTooLarge);
    }

    [Fact]
    public void ReadFile_QuotedScalars_StayStrings()
    {
        var result = Reader.ReadFile(Path.Combine(TestPaths.KubeLive, "cases", "29-configmap-quoted-scalars", "desired.yaml"), "desired.yaml");

        var obj = result.Objects.Single();
        obj.Labels.Should().Contain(new KeyValuePair<string, string>("build", "0042"));
        obj.Json.GetProperty("data").EnumerateObject().Should().OnlyContain(p => p.Value.ValueKind == JsonValueKind.String);
        obj.Json.GetProperty("metadata").GetProperty("annotations").GetProperty("example.com/tilde").GetString().Should().Be("~");
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task ReadFile_DesiredYaml_MatchesKubectl(string caseName)
    {
        var kubectl = TestPaths.RequireTool("kubectl");
        var file = Path.Combine(TestPaths.KubeLive, "cases", caseName, "desired.yaml");
        var ours = Reader.ReadFile(file, "desired.yaml").Objects.Single();

        // `kubectl annotate --local` decodes the file exactly as `kubectl apply` does and prints what it would send.
        var run = await ProcessRunner.RunAsync(kubectl, ["annotate", "--local", "-f", file, "gitops-probe-", "-o", "json"], timeout: TimeSpan.FromSeconds(60));
        run.ExitCode.Should().Be(0, run.StandardError);
        var theirs = JsonNode.Parse(run.StandardOutput)!.AsObject();
        var metadata = theirs["metadata"]!.AsObject();
        if (metadata["annotations"] is JsonObject { Count: 0 } && !ours.Metadata.TryGetProperty("annotations", out _))
        {
            metadata.Remove("annotations");
        }

        ours.Should().Be(KubeObject.FromNode(theirs), $"{caseName} must read as kubectl reads it");
    }
}
