using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Sdk.Manifests;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Tests.Manifests;

public sealed class ManifestWriterTests
{
    private static readonly ManifestReader Reader = new(new ManifestReaderOptions { RequireName = false });

    /// <summary>Every recorded YAML and JSON object file of every case, as on disk (expected.json is a verdict, not an object).</summary>
    public static TheoryData<string> CorpusFiles => TestPaths.NonEmptyTheoryData(
        TestPaths.KubeLiveCaseNames.SelectMany(c => TestPaths.KubeLiveCaseFiles(c, "*.yaml").Concat(TestPaths.KubeLiveCaseFiles(c, "*.json")))
            .Where(f => Path.GetFileName(f) != "expected.json")
            .Select(f => Path.GetRelativePath(TestPaths.KubeLive, f)),
        "kube-live/cases");

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void ToYaml_CorpusObject_ReadsBackEqual(string relativePath)
    {
        var objects = Reader.ReadFile(Path.Combine(TestPaths.KubeLive, relativePath), relativePath).Objects;

        foreach (var obj in objects)
        {
            var yaml = ManifestWriter.ToYaml(obj);
            var back = Reader.Read(yaml, "roundtrip.yaml");

            back.Errors.Should().BeEmpty(yaml);
            back.Objects.Should().ContainSingle().Which.ToJsonString().Should().Be(obj.ToJsonString(), "key order and every value survive:\n" + yaml);
        }
    }

    [Fact]
    public void ToYaml_Deployment_KubectlLayout()
    {
        var obj = KubeObject.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web","version":"2"}},
             "spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"main","image":"nginx:1.27","args":["-c","on"],
             "ports":[{"containerPort":80}],"env":[]}]}}},"data":{"conf":"a\n  b\n"},"status":{}}
            """);

        ManifestWriter.ToYaml(obj).Should().Be("""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              labels:
                app: web
                version: "2"
            spec:
              replicas: 2
              template:
                spec:
                  containers:
                  - name: main
                    image: nginx:1.27
                    args:
                    - -c
                    - "on"
                    ports:
                    - containerPort: 80
                    env: []
            data:
              conf: |
                a
                  b
            status: {}

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    public static readonly TheoryData<string> TrickyStrings =
    [
        "", " ", "a ", " a", "yes", "y", "N", "off", "null", "Null", "~", "true", "TRUE", "80", "0755", "0x1F", "1e3", "1.0", ".5", "1_000",
        "-", "-1", "- a", "-a", "--", "---", "...", "a: b", "a:b", "a:", "a #b", "a#b", "#c", "&a", "*a", "!a", "|", ">", "%a", "@a",
        "`a", "'", "\"", "{", "}", "[a]", "a,b", "?", "? a", ":", "<<", "=", ".inf", "-.inf", ".nan", "2026-01-15", "12:30", "1:20",
        "a\nb", "a\n", "a\n\n", "a\n\n\n", "\n", "\n\na", "  lead\nx", " \nx", "x\n \ny", "tab\there", "\ttab\nx", "x\r\ny", "é ✓ 日本",
        "\u2028", "\u0085", "\u0001", "back\\slash", "k:{\"name\":\"main\"}", "f:metadata", "v1.2.3", "1.2.3", "/usr/bin/env", "$(VAR)",
        "(paren)", "_x", ".hidden", "a\u00A0b", "trailing\n  ", "last line\nno newline",
    ];

    [Theory]
    [MemberData(nameof(TrickyStrings))]
    public void ToYaml_TrickyString_ReadsBackAsSameString(string value)
    {
        var node = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "c" },
            ["data"] = new JsonObject { ["v"] = value, [value.Length == 0 ? "empty" : value] = value },
            ["list"] = new JsonArray(value, new JsonObject { ["k"] = value }, new JsonArray(value)),
        };
        var obj = KubeObject.FromNode(node);

        var yaml = ManifestWriter.ToYaml(obj);
        var back = Reader.Read(yaml, "s.yaml");

        back.Errors.Should().BeEmpty(yaml);
        back.Objects.Single().Should().Be(obj, yaml);
    }

    [Fact]
    public void ToYamlStream_SeveralObjects_SeparatedAndReadBackInOrder()
    {
        var a = KubeObject.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}""");
        var b = KubeObject.Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"b"},"stringData":{"x":"1"}}""");

        var stream = ManifestWriter.ToYamlStream([a, b]);

        stream.Should().Be("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: b\nstringData:\n  x: \"1\"\n");
        Reader.Read(stream, "s.yaml").Objects.Should().Equal(a, b);
        ManifestWriter.ToYamlStream([]).Should().BeEmpty();
    }

    [Fact]
    public void ToYaml_NumbersAndScalars_WrittenAsJsonHasThem()
    {
        using var doc = JsonDocument.Parse("""{"i":80,"f":1.5,"big":1e+21,"t":true,"n":null,"e":{},"l":[[1,2],[]]}""");

        ManifestWriter.ToYaml(doc.RootElement).Should().Be("i: 80\nf: 1.5\nbig: 1e+21\nt: true\n\"n\": null\ne: {}\nl:\n- - 1\n  - 2\n- []\n");
    }

    [Fact]
    public void ToYaml_ScalarRoot_WrittenAsScalar()
    {
        using var doc = JsonDocument.Parse("\"yes\"");

        ManifestWriter.ToYaml(doc.RootElement).Should().Be("\"yes\"\n");
    }
}
