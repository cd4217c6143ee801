using GitOps.Sdk.Health;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Tests.Health;

public sealed class BuiltInHealthAssessorTests
{
    private static KubeObject Recorded(string caseName) =>
        KubeObject.Parse(File.ReadAllText(Path.Combine(TestPaths.KubeLive, "cases", caseName, "live.json")));

    private static HealthResult Assess(string json) => BuiltInHealthAssessor.Instance.Assess(KubeObject.Parse(json))!;

    [Theory]
    [InlineData("08-deployment-small", HealthStatus.Progressing)]
    [InlineData("11-statefulset-volumeclaimtemplates", HealthStatus.Progressing)]
    [InlineData("12-daemonset-node-agent", HealthStatus.Healthy)]
    [InlineData("13-job-migration", HealthStatus.Progressing)]
    [InlineData("14-cronjob-batch-v1", HealthStatus.Healthy)]
    [InlineData("20-hpa-autoscaling-v2", HealthStatus.Degraded)]
    [InlineData("23-pvc-basic", HealthStatus.Progressing)]
    [InlineData("24-ingress-networking-v1", HealthStatus.Progressing)]
    [InlineData("27-crd-structural-defaults", HealthStatus.Healthy)]
    [InlineData("05-service-clusterip-named-targetport", HealthStatus.Healthy)]
    [InlineData("02-configmap-multiline", HealthStatus.Healthy)]
    public void Assess_RecordedLiveObject_MatchesControllerSemantics(string caseName, HealthStatus expected)
    {
        var result = BuiltInHealthAssessor.Instance.Assess(Recorded(caseName));

        result!.Status.Should().Be(expected, result.Message);
    }

    [Fact]
    public void Assess_DeploymentRolledOut_Healthy()
    {
        var result = Assess("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","generation":3},
             "spec":{"replicas":2},
             "status":{"observedGeneration":3,"replicas":2,"updatedReplicas":2,"availableReplicas":2,"readyReplicas":2}}
            """);

        result.Status.Should().Be(HealthStatus.Healthy);
    }

    [Fact]
    public void Assess_DeploymentGenerationNotObserved_Progressing()
    {
        var result = Assess("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","generation":4},
             "spec":{"replicas":2},"status":{"observedGeneration":3,"replicas":2,"updatedReplicas":2,"availableReplicas":2}}
            """);

        result.Status.Should().Be(HealthStatus.Progressing);
        result.Message.Should().Contain("generation");
    }

    [Fact]
    public void Assess_DeploymentProgressDeadlineExceeded_Degraded()
    {
        var result = Assess("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","generation":1},
             "spec":{"replicas":1},"status":{"observedGeneration":1,"updatedReplicas":1,"replicas":1,"availableReplicas":0,
             "conditions":[{"type":"Progressing","status":"False","reason":"ProgressDeadlineExceeded"}]}}
            """);

        result.Status.Should().Be(HealthStatus.Degraded);
    }

    [Fact]
    public void Assess_PausedDeployment_Suspended() =>
        Assess("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"paused":true}}""")
            .Status.Should().Be(HealthStatus.Suspended);

    [Fact]
    public void Assess_PodInCrashLoop_DegradedNamingContainer()
    {
        var result = Assess("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{},
             "status":{"phase":"Running","containerStatuses":[{"name":"app","state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 5m"}}}]}}
            """);

        result.Status.Should().Be(HealthStatus.Degraded);
        result.Message.Should().Contain("app").And.Contain("CrashLoopBackOff");
    }

    [Theory]
    [InlineData("""{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}""", HealthStatus.Healthy)]
    [InlineData("""{"phase":"Running","conditions":[{"type":"Ready","status":"False"}]}""", HealthStatus.Progressing)]
    [InlineData("""{"phase":"Succeeded"}""", HealthStatus.Healthy)]
    [InlineData("""{"phase":"Failed","message":"OOMKilled"}""", HealthStatus.Degraded)]
    [InlineData("""{"phase":"Pending"}""", HealthStatus.Progressing)]
    public void Assess_PodPhases_FollowKubeletSemantics(string status, HealthStatus expected) =>
        Assess($$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{},"status":{{status}}}""").Status.Should().Be(expected);

    [Theory]
    [InlineData("""[{"type":"Complete","status":"True"}]""", HealthStatus.Healthy)]
    [InlineData("""[{"type":"Failed","status":"True","message":"BackoffLimitExceeded"}]""", HealthStatus.Degraded)]
    [InlineData("""[{"type":"Suspended","status":"True"}]""", HealthStatus.Suspended)]
    public void Assess_JobConditions_MapToHealth(string conditions, HealthStatus expected) =>
        Assess($$$"""{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},"status":{"conditions":{{{conditions}}}}}""").Status.Should().Be(expected);

    [Fact]
    public void Assess_CronJobWhoseLastRunFailed_Degraded() =>
        Assess("""
            {"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"c"},"spec":{},
             "status":{"lastScheduleTime":"2026-11-27T06:00:00Z","lastSuccessfulTime":"2026-11-27T05:00:00Z"}}
            """).Status.Should().Be(HealthStatus.Degraded);

    [Theory]
    [InlineData("LoadBalancer", """{"loadBalancer":{}}""", HealthStatus.Progressing)]
    [InlineData("LoadBalancer", """{"loadBalancer":{"ingress":[{"ip":"10.0.0.1"}]}}""", HealthStatus.Healthy)]
    [InlineData("ClusterIP", """{"loadBalancer":{}}""", HealthStatus.Healthy)]
    public void Assess_Service_WaitsForLoadBalancerOnly(string type, string status, HealthStatus expected) =>
        Assess($$"""{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"type":"{{type}}"},"status":{{status}}}""").Status.Should().Be(expected);

    [Theory]
    [InlineData("Bound", HealthStatus.Healthy)]
    [InlineData("Lost", HealthStatus.Degraded)]
    public void Assess_PvcPhase_MapsToHealth(string phase, HealthStatus expected) =>
        Assess($$$"""{"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"d"},"status":{"phase":"{{{phase}}}"}}""").Status.Should().Be(expected);

    [Theory]
    [InlineData("""[{"type":"Available","status":"True"}]""", HealthStatus.Healthy)]
    [InlineData("""[{"type":"Available","status":"False","reason":"MissingEndpoints","message":"no endpoints"}]""", HealthStatus.Progressing)]
    public void Assess_ApiService_FollowsAvailable(string conditions, HealthStatus expected) =>
        Assess($$$"""{"apiVersion":"apiregistration.k8s.io/v1","kind":"APIService","metadata":{"name":"v1.metrics"},"status":{"conditions":{{{conditions}}}}}""").Status.Should().Be(expected);

    [Theory]
    [InlineData("""{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True"}]}""", HealthStatus.Healthy)]
    [InlineData("""{"observedGeneration":1,"conditions":[{"type":"Ready","status":"False","message":"bad"}]}""", HealthStatus.Degraded)]
    [InlineData("""{"observedGeneration":1,"conditions":[{"type":"Reconciling","status":"True"}]}""", HealthStatus.Progressing)]
    [InlineData("""{"observedGeneration":1,"conditions":[{"type":"Stalled","status":"True","message":"stuck"}]}""", HealthStatus.Degraded)]
    [InlineData("""{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True"}],"x":1}""", HealthStatus.Healthy)]
    [InlineData("""{"observedGeneration":0,"conditions":[{"type":"Ready","status":"True"}]}""", HealthStatus.Progressing)]
    public void Assess_CustomResource_UsesGenericConditions(string status, HealthStatus expected) =>
        Assess($$"""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w","generation":1},"status":{{status}}}""").Status.Should().Be(expected);

    [Fact]
    public void Aggregator_HostAssessorFirst_WinsOverBuiltIn()
    {
        var aggregator = new HealthAggregator([new FixedAssessor("ConfigMap", new HealthResult(HealthStatus.Degraded, "custom"))]);

        aggregator.Assess(KubeObject.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}""")).Message.Should().Be("custom");
        aggregator.Assess(KubeObject.Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}}""")).Status.Should().Be(HealthStatus.Healthy);
        aggregator.Assess(null).Status.Should().Be(HealthStatus.Missing);
    }

    [Fact]
    public void Worst_MixedChildren_ReturnsWorstNamingObject()
    {
        var a = new ResourceKey("apps", "Deployment", "shop", "web");
        var b = new ResourceKey(string.Empty, "ConfigMap", "shop", "cfg");

        var worst = HealthAggregator.Worst([(b, HealthResult.Healthy), (a, new HealthResult(HealthStatus.Degraded, "crash"))]);

        worst.Status.Should().Be(HealthStatus.Degraded);
        worst.Message.Should().Be("apps/Deployment/shop/web: crash");
        HealthAggregator.Worst([]).Status.Should().Be(HealthStatus.Healthy);
    }

    private sealed class FixedAssessor(string kind, HealthResult result) : IHealthAssessor
    {
        public HealthResult? Assess(KubeObject live) => live.Kind == kind ? result : null;
    }
}
