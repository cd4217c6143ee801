using System.Text;
using System.Text.Json.Nodes;
using GitOps.Sdk.Kubernetes;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Kubernetes.Tests.Apply;

public class ApplierHelpersTests
{
    private static readonly string Case41 = Path.Combine(TestPaths.KubeLive, "cases", "41-drift-service-port-changed");

    [Fact]
    public void ImmutableFields_DeploymentSelectorMessage_NamesTheField()
    {
        var status = KubeStatus.TryParse(Encoding.UTF8.GetBytes(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":422,\"reason\":\"Invalid\"," +
            "\"message\":\"Deployment.apps \\\"web\\\" is invalid: spec.selector: Invalid value: v1.LabelSelector{}: field is immutable\"," +
            "\"details\":{\"causes\":[{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value: v1.LabelSelector{}: field is immutable\",\"field\":\"spec.selector\"}]}}"));

        ApplyRefusals.ImmutableFields(status).Should().Equal("spec.selector");
    }

    [Fact]
    public void ImmutableFields_MessageWithoutCauses_ParsedFromMessage()
    {
        var status = new KubeStatus("Invalid", "Job.batch \"migrate\" is invalid: spec.template: Invalid value: core.PodTemplateSpec{}: field is immutable", 422, []);

        ApplyRefusals.ImmutableFields(status).Should().Equal("spec.template");
    }

    [Fact]
    public void ImmutableFields_RecordedCase41DuplicatePort_NotImmutable()
    {
        var status = KubeStatus.TryParse(File.ReadAllBytes(Path.Combine(Case41, "dryrun.json")));

        status!.Code.Should().Be(422);
        ApplyRefusals.ImmutableFields(status).Should().BeEmpty();
        status.Causes.Single().Field.Should().Be("spec.ports[1].name");
    }

    [Fact]
    public void RepairFields_RecordedCase41_ReplacesThePortListWithDesired()
    {
        var status = KubeStatus.TryParse(File.ReadAllBytes(Path.Combine(Case41, "dryrun.json")))!;
        var live = JsonNode.Parse(File.ReadAllText(Path.Combine(Case41, "live.json")))!.AsObject();
        var desired = JsonNode.Parse("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"drift-port-svc\",\"namespace\":\"fixtures\"},\"spec\":{\"selector\":{\"app\":\"drift-port-svc\"},\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":8080,\"protocol\":\"TCP\"}]}}")!.AsObject();

        var field = ApplyRefusals.ContainingField(status.Causes.Single().Field!);
        ApplyRefusals.ReplaceField(live, desired, field);

        field.Should().Be("spec.ports");
        live["spec"]!["ports"]!.ToJsonString().Should().Be("[{\"name\":\"http\",\"port\":80,\"targetPort\":8080,\"protocol\":\"TCP\"}]");
        live["spec"]!["clusterIP"]!.GetValue<string>().Should().Be("10.96.191.179", "fields outside the repaired one stay as they are");
    }

    [Fact]
    public void ReplaceField_DesiredLacksField_RemovesIt()
    {
        var live = JsonNode.Parse("{\"spec\":{\"a\":[1],\"b\":2}}")!.AsObject();

        ApplyRefusals.ReplaceField(live, new JsonObject(), "spec.a");

        live.ToJsonString().Should().Be("{\"spec\":{\"b\":2}}");
    }

    [Fact]
    public void Normalize_HpaDryRunWithDuplicatedAndEmptyMetrics_CleansThem()
    {
        var hpa = KubeObject.Parse(
            "{\"apiVersion\":\"autoscaling/v2\",\"kind\":\"HorizontalPodAutoscaler\",\"metadata\":{\"name\":\"hello\",\"namespace\":\"fixtures\"}," +
            "\"spec\":{\"maxReplicas\":6,\"metrics\":[" +
            "{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":{\"type\":\"Utilization\",\"averageUtilization\":70}}}," +
            "{\"type\":\"\"}," +
            "{\"resource\":{\"target\":{\"averageUtilization\":70,\"type\":\"Utilization\"},\"name\":\"cpu\"},\"type\":\"Resource\"}," +
            "{}]}}");

        var normalized = DryRunNormalizer.Normalize(hpa);

        normalized.Json.GetProperty("spec").GetProperty("metrics").GetArrayLength().Should().Be(1);
        normalized.Json.GetProperty("spec").GetProperty("metrics")[0].GetProperty("resource").GetProperty("name").GetString().Should().Be("cpu");
    }

    [Fact]
    public void Normalize_RecordedHpaCase20_Untouched()
    {
        var live = KubeObject.Parse(File.ReadAllText(Path.Combine(TestPaths.KubeLive, "cases", "20-hpa-autoscaling-v2", "dryrun.json")));

        DryRunNormalizer.Normalize(live).Should().BeSameAs(live);
    }

    [Theory]
    [InlineData("03-secret-stringdata")]
    [InlineData("09-deployment-realistic")]
    [InlineData("11-statefulset-volumeclaimtemplates")]
    [InlineData("22-networkpolicy-ingress")]
    [InlineData("25-limitrange-container")]
    public void ComparableHash_RecordedReapplyNotANoOp_DryRunEqualsLive(string caseName)
    {
        // On the real server these re-applies write a new resourceVersion although nothing changed; the dry-run differs
        // from live only in managedFields times, which the server-side diff must not count as drift.
        var dir = Path.Combine(TestPaths.KubeLive, "cases", caseName);
        var live = KubeObject.Parse(File.ReadAllText(Path.Combine(dir, "live.json")));
        var dryRun = KubeObject.Parse(File.ReadAllText(Path.Combine(dir, "dryrun.json")));

        dryRun.ContentHash.Should().NotBe(live.ContentHash);
        DryRunNormalizer.ComparableHash(DryRunNormalizer.Normalize(dryRun)).Should().Be(DryRunNormalizer.ComparableHash(live));
    }

    [Fact]
    public void ComparableHash_RecordedDriftCase32_Differs()
    {
        var dir = Path.Combine(TestPaths.KubeLive, "cases", "32-drift-set-image");
        var live = KubeObject.Parse(File.ReadAllText(Path.Combine(dir, "live.json")));
        var dryRun = KubeObject.Parse(File.ReadAllText(Path.Combine(dir, "dryrun.json")));

        DryRunNormalizer.ComparableHash(dryRun).Should().NotBe(DryRunNormalizer.ComparableHash(live));
    }
}
