using System.Text.Json.Nodes;
using GitOps.Sdk.Testing.Emulator;
using GitOps.Sdk.Testing.Emulator.Protobuf;
using GitOps.Sdk.TestUtilities;
using static GitOps.Sdk.Testing.Tests.Emulator.ProtobufWire;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>The decoder of <c>application/vnd.kubernetes.protobuf</c> bodies, on recorded kubectl bodies and hand-built envelopes.</summary>
public sealed class ProtobufDecoderTests
{
    private static readonly ResourceRegistry Registry = new();

    private static string Recordings => Path.Combine(TestPaths.RepositoryRoot, "tests", "testdata", "kubectl-protobuf");

    public static TheoryData<string> RecordedBodies()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Recordings, "*.pb").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Fact]
    public void RecordedBodies_CoverEveryKindKubectlCreateGenerates()
    {
        var kinds = Directory.GetFiles(Recordings, "*.json").Select(file => (string)JsonNode.Parse(File.ReadAllText(file))!["kind"]!).ToHashSet();
        RecordedBodies().Should().HaveSameCount(Directory.GetFiles(Recordings, "*.json"));
        kinds.Should().BeEquivalentTo(
            "Namespace", "ConfigMap", "Secret", "ServiceAccount", "Deployment", "Service", "Job", "CronJob", "Role", "RoleBinding",
            "ClusterRole", "ClusterRoleBinding", "ResourceQuota", "PriorityClass", "PodDisruptionBudget", "Ingress", "HorizontalPodAutoscaler");
    }

    [Theory]
    [MemberData(nameof(RecordedBodies))]
    public void Decode_BodyKubectlSent_IsTheJsonKubectlPrintsForTheSameObject(string name)
    {
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(Recordings, name + ".json")))!;
        var type = Registry.FindByKind((string)expected["apiVersion"]!, (string)expected["kind"]!)!;

        var decoded = KubeProtobuf.Decode(File.ReadAllBytes(Path.Combine(Recordings, name + ".pb")), type);

        // Exact text: same fields, values, Go struct order and sorted map keys.
        decoded.ToJsonString().Should().Be(expected.ToJsonString());
    }

    [Fact]
    public void Decode_HandBuiltDeployment_WritesTheGoZeroValuesAsEncodingJsonDoes()
    {
        var metadata = Message(
            Str(1, "web"),
            Str(2, string.Empty), // generateName: a non-pointer string, zero → omitted
            Msg(8, Message(Varint(1, 1_700_000_000), Varint(2, 5))), // creationTimestamp: whole seconds only
            Msg(11, Message(Str(1, "tier"), Str(2, "front"))),
            Msg(11, Message(Str(1, "app"), Str(2, "web"))),
            Varint(7, 0)); // generation: int64 omitempty, zero → omitted
        var container = Message(
            Str(1, "c"),
            Str(2, "nginx"),
            Msg(6, Message(Varint(3, 0))), // containerPort has no omitempty: 0 stays
            Msg(8, Message(Msg(1, Message(Str(1, "cpu"), Msg(2, Message(Str(1, "500m")))))))); // limits: cpu 500m
        var spec = Message(
            Varint(1, 0), // replicas is a *int32: 0 is kept
            Msg(3, Message(Msg(1, Message(Msg(8, Message()))), Msg(2, Message(Msg(2, container))))), // an empty Time is null
            Msg(4, Message(Str(1, "RollingUpdate"), Msg(2, Message(
                Msg(1, Message(Varint(1, 0), Varint(2, 0))), // maxUnavailable: int 0
                Msg(2, Message(Varint(1, 1), Str(3, "25%"))))))), // maxSurge: "25%"
            Varint(7, 0), // paused: bool omitempty, false → omitted; selector (a *LabelSelector without omitempty) absent → null
            Varint(99, 42)); // a field this schema does not know: skipped
        var body = Envelope("apps/v1", "Deployment", Message(Msg(1, metadata), Msg(2, spec))); // status absent: a struct, {}

        var decoded = KubeProtobuf.Decode(body, Type("apps/v1", "Deployment"));

        decoded.ToJsonString().Should().Be(JsonNode.Parse("""
            {"kind":"Deployment","apiVersion":"apps/v1",
             "metadata":{"name":"web","creationTimestamp":"2023-11-14T22:13:20Z","labels":{"app":"web","tier":"front"}},
             "spec":{"replicas":0,"selector":null,
               "template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":0}],"resources":{"limits":{"cpu":"500m"}}}]}},
               "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":0,"maxSurge":"25%"}}},
             "status":{}}
            """)!.ToJsonString());
    }

    [Fact]
    public void Decode_SecretData_IsBase64AndStringDataPlain()
    {
        var body = Envelope("v1", "Secret", Message(
            Msg(1, Message(Str(1, "s"))),
            Msg(2, Message(Str(1, "k"), Bytes(2, [0xff, 0x00, 0x41]))),
            Str(3, "Opaque"),
            Msg(4, Message(Str(1, "plain"), Str(2, "text")))));

        var decoded = KubeProtobuf.Decode(body, Type("v1", "Secret"));

        decoded.ToJsonString().Should().Be("""{"kind":"Secret","apiVersion":"v1","metadata":{"name":"s","creationTimestamp":null},"data":{"k":"/wBB"},"stringData":{"plain":"text"},"type":"Opaque"}""");
    }

    [Fact]
    public void Decode_WithoutMagic_IsABadRequestLikeTheServers()
    {
        var act = () => KubeProtobuf.Decode("{\"kind\":\"ConfigMap\"}"u8, Type("v1", "ConfigMap"));

        var error = act.Should().Throw<ApiException>().Which;
        error.Code.Should().Be(400);
        ((string?)error.Body["message"]).Should().Be(
            "the object provided is unrecognized (must be of type ConfigMap): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] (7b226b696e64223a22436f6e6669674d6170227d)");
    }

    [Fact]
    public void Decode_WrongWireType_IsABadRequestNamingTheKinds()
    {
        var body = Envelope("v1", "ConfigMap", Message(Varint(1, 7)));

        var act = () => KubeProtobuf.Decode(body, Type("v1", "ConfigMap"));

        var error = act.Should().Throw<ApiException>().Which;
        error.Code.Should().Be(400);
        ((string?)error.Body["message"]).Should().Be("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: proto: wrong wireType = 0 for field Metadata");
    }

    [Fact]
    public void Decode_KindWithoutMessageType_Is415NamingTheKind()
    {
        var body = Envelope("storage.k8s.io/v1", "StorageClass", Message(Msg(1, Message(Str(1, "fast")))));

        var act = () => KubeProtobuf.Decode(body, Type("storage.k8s.io/v1", "StorageClass"));

        var error = act.Should().Throw<ApiException>().Which;
        error.Code.Should().Be(415);
        ((string?)error.Body["reason"]).Should().Be("UnsupportedMediaType");
        ((string?)error.Body["message"]).Should().Contain("storage.k8s.io/v1, Kind=StorageClass");
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(1_500_000L, "1.5ms")]
    [InlineData(999L, "999ns")]
    [InlineData(2_000L, "2µs")]
    [InlineData(90_000_000_000L, "1m30s")]
    [InlineData(3_600_000_000_000L, "1h0m0s")]
    [InlineData(3_723_500_000_000L, "1h2m3.5s")]
    [InlineData(-5_000_000_000L, "-5s")]
    public void GoDuration_Format_MatchesGosString(long nanos, string expected) =>
        GoDuration.Format(nanos).Should().Be(expected);

    private static ResourceType Type(string apiVersion, string kind) => Registry.FindByKind(apiVersion, kind)!;
}
