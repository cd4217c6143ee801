using System.Text.Json;
using GitOps.Sdk.Diff;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Tests.Diff;

/// <summary>Every case of the recorded real-API-server corpus: the drift flag and the exact paths of expected.json.</summary>
public sealed class DiffEngineCorpusTests
{
    public static TheoryData<string> Cases()
        => TestPaths.NonEmptyTheoryData(TestPaths.KubeLiveCaseNames, "kube-live/cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Diff_CorpusCase_MatchesExpectedDriftAndPaths(string caseName)
    {
        var (desired, live, expected) = Load(caseName);

        var diff = DiffEngine.Instance.Diff(desired, live, lastApplied: null, DiffOptions.Default);

        Describe(diff).Should().Be(Describe(expected), because: caseName);
    }

    [Fact]
    public void Diff_RemovedFromDesiredWithLastAppliedObject_ReportsRemovedLabel()
    {
        var dir = Dir("44-drift-removed-from-desired");
        var desired = TestYaml.LoadFile(Path.Combine(dir, "desired.yaml"));
        var live = KubeObject.Parse(File.ReadAllText(Path.Combine(dir, "live.json")));
        var lastApplied = TestYaml.LoadFile(Path.Combine(dir, "desired-v1.yaml"));

        var diff = DiffEngine.Instance.Diff(desired, live, lastApplied, DiffOptions.Default);

        diff.Action.Should().Be(DiffAction.Update);
        diff.Changes.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Path = "/metadata/labels/canary",
            Kind = FieldChangeKind.Removed,
            DesiredValue = (string?)null,
            LiveValue = "\"true\"",
        });
    }

    [Fact]
    public void Diff_CorpusNoDriftCasesWithLastAppliedEqualToDesired_StayUnchanged()
    {
        var checkedCases = new List<string>();
        foreach (var caseName in TestPaths.KubeLiveCaseNames)
        {
            var (desired, live, expected) = Load(caseName);
            if (expected.Drift || live is null)
            {
                continue;
            }

            var diff = DiffEngine.Instance.Diff(desired, live, lastApplied: desired, DiffOptions.Default);
            diff.Action.Should().Be(DiffAction.Unchanged, because: caseName);
            checkedCases.Add(caseName);
        }

        // Cases 01-30 (plain objects) and the two no-drift mutation cases 34 and 40.
        checkedCases.Should().HaveCount(32).And.Contain(["34-nodrift-extra-label", "40-nodrift-configmap-key-added"]);
    }

    [Fact]
    public void Diff_ScaledReplicas_AttributesToKubectlScale()
    {
        var (desired, live, _) = Load("31-drift-scale-replicas");

        var diff = DiffEngine.Instance.Diff(desired, live, null, DiffOptions.Default);

        var change = diff.Changes.Should().ContainSingle().Subject;
        change.Should().BeEquivalentTo(new { Path = "/spec/replicas", Kind = FieldChangeKind.Changed, DesiredValue = "2", LiveValue = "5" });
        change.Attribution.Should().Be(new FieldAttribution("kubectl", "Update", null, "scale"));
    }

    internal static (KubeObject Desired, KubeObject? Live, Expected Expected) Load(string caseName)
    {
        var dir = Dir(caseName);
        var desired = TestYaml.LoadFile(Path.Combine(dir, "desired.yaml"));
        var liveText = File.ReadAllText(Path.Combine(dir, "live.json"));
        var live = liveText.Trim() == "null" ? null : KubeObject.Parse(liveText);
        using var expectedDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")));
        var root = expectedDoc.RootElement;
        var drift = root.GetProperty("drift").GetBoolean();
        var paths = root.TryGetProperty("paths", out var p) ? p.EnumerateArray().Select(e => e.GetString()!).ToArray() : [];
        return (desired, live, new Expected(drift, paths));
    }

    private static string Dir(string caseName) => Path.Combine(TestPaths.KubeLive, "cases", caseName);

    private static string Describe(ResourceDiff diff) =>
        $"drift={diff.HasDrift} paths=[{string.Join(", ", diff.Changes.Select(c => c.Path).Order(StringComparer.Ordinal))}]";

    private static string Describe(Expected expected) =>
        $"drift={expected.Drift} paths=[{string.Join(", ", expected.Paths.Order(StringComparer.Ordinal))}]";

    internal sealed record Expected(bool Drift, string[] Paths);
}
