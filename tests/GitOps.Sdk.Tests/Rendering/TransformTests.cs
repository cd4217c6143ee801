using System.Text.Json;
using GitOps.Sdk.Rendering;
using static GitOps.Sdk.Tests.Rendering.RenderingTestKit;

namespace GitOps.Sdk.Tests.Rendering;

public sealed class DefaultNamespaceTransformTests
{
    [Fact]
    public async Task TransformAsync_NamespacedWithoutNamespace_GetsTheApplicationNamespace()
    {
        var state = State(ConfigMap("a"), ConfigMap("b", "keep"), Object("apps/v1", "Deployment", "web"));

        var result = await Transform().TransformAsync(state, Context(new RenderOptions { Namespace = "shop" }), default);

        result.State.Objects.Select(o => o.Namespace).Should().Equal("shop", "keep", "shop");
        result.State.Objects[0].Origin.Should().Be(new ObjectOrigin("app/manifests.yaml", 0), "the origin survives the edit");
    }

    [Theory]
    [InlineData("v1", "Namespace")]
    [InlineData("v1", "PersistentVolume")]
    [InlineData("v1", "Node")]
    [InlineData("rbac.authorization.k8s.io/v1", "ClusterRole")]
    [InlineData("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")]
    [InlineData("apiextensions.k8s.io/v1", "CustomResourceDefinition")]
    [InlineData("storage.k8s.io/v1", "StorageClass")]
    [InlineData("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration")]
    [InlineData("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding")]
    [InlineData("networking.k8s.io/v1", "IngressClass")]
    [InlineData("scheduling.k8s.io/v1", "PriorityClass")]
    [InlineData("apiregistration.k8s.io/v1", "APIService")]
    [InlineData("flowcontrol.apiserver.k8s.io/v1", "FlowSchema")]
    public async Task TransformAsync_BuiltInClusterScopedKind_IsUntouched(string apiVersion, string kind)
    {
        var result = await Transform().TransformAsync(State(Object(apiVersion, kind, "x")), Context(new RenderOptions { Namespace = "shop" }), default);

        result.State.Objects.Single().Namespace.Should().BeEmpty();
    }

    [Theory]
    [InlineData("rbac.authorization.k8s.io/v1", "Role")]
    [InlineData("networking.k8s.io/v1", "Ingress")]
    [InlineData("v1", "Secret")]
    [InlineData("batch/v1", "CronJob")]
    [InlineData("policy/v1", "PodDisruptionBudget")]
    public async Task TransformAsync_BuiltInNamespacedKind_GetsNamespace(string apiVersion, string kind)
    {
        var result = await Transform().TransformAsync(State(Object(apiVersion, kind, "x")), Context(new RenderOptions { Namespace = "shop" }), default);

        result.State.Objects.Single().Namespace.Should().Be("shop");
    }

    [Fact]
    public void BuiltIn_MatchesTheRecordedApiServerDiscovery()
    {
        // The recorded discovery documents of a real API server list every resource with its scope.
        var checkedKinds = 0;
        foreach (var file in GitOps.Sdk.TestUtilities.TestPaths.KubeLiveFiles(Path.Combine("wire", "discovery"), "api*-v*.json"))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var (group, _) = GroupKind.SplitApiVersion(doc.RootElement.GetProperty("groupVersion").GetString()!);
            if (group.EndsWith(".example.io", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var resource in doc.RootElement.GetProperty("resources").EnumerateArray())
            {
                if (resource.GetProperty("name").GetString()!.Contains('/', StringComparison.Ordinal))
                {
                    continue;
                }

                var gk = new GroupKind(group, resource.GetProperty("kind").GetString()!);
                ClusterScopedKinds.BuiltIn.Contains(gk).Should().Be(!resource.GetProperty("namespaced").GetBoolean(), gk.ToString());
                checkedKinds++;
            }
        }

        checkedKinds.Should().BeGreaterThan(20);
    }

    [Fact]
    public async Task TransformAsync_CustomKindDeclaredClusterScopedByCrdInState_IsUntouched()
    {
        var state = State(
            Crd("clusterissuers.cert-manager.io", "cert-manager.io", "ClusterIssuer", "Cluster"),
            Crd("issuers.cert-manager.io", "cert-manager.io", "Issuer", "Namespaced"),
            Object("cert-manager.io/v1", "ClusterIssuer", "letsencrypt"),
            Object("cert-manager.io/v1", "Issuer", "local"));

        var result = await Transform().TransformAsync(state, Context(new RenderOptions { Namespace = "shop" }), default);

        result.State.Objects.Select(o => o.Namespace).Should().Equal("", "", "", "shop");
    }

    [Fact]
    public async Task TransformAsync_ExtraClusterScopedKindFromOptions_IsUntouched()
    {
        var transform = new DefaultNamespaceTransform(Options(o => o.ClusterScopedKinds.Add("ClusterPolicy.kyverno.io")));
        var state = State(Object("kyverno.io/v1", "ClusterPolicy", "p"), Object("kyverno.io/v1", "Policy", "q"));

        var result = await transform.TransformAsync(state, Context(new RenderOptions { Namespace = "shop" }), default);

        result.State.Objects.Select(o => o.Namespace).Should().Equal("", "shop");
    }

    [Fact]
    public async Task TransformAsync_NoNamespaceOption_ReturnsTheSameState()
    {
        var state = State(ConfigMap("a"));

        var result = await Transform().TransformAsync(state, Context(new RenderOptions()), default);

        result.State.Should().BeSameAs(state);
    }

    private static DefaultNamespaceTransform Transform() => new(Options());

    private static string Crd(string name, string group, string kind, string scope) =>
        $$$$"""{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"{{{{name}}}}"},"spec":{"group":"{{{{group}}}}","scope":"{{{{scope}}}}","names":{"kind":"{{{{kind}}}}","plural":"x"}}}""";
}

public sealed class CommonMetadataTransformTests
{
    [Fact]
    public async Task TransformAsync_LabelsAndAnnotations_AreAddedToMetadataOnlyAndWin()
    {
        const string deployment = """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"team":"old","app":"web"}},"spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}}}}}""";
        var options = new RenderOptions
        {
            CommonLabels = new Dictionary<string, string> { ["team"] = "payments" },
            CommonAnnotations = new Dictionary<string, string> { ["owner"] = "ops@example.com" },
        };

        var result = await new CommonMetadataTransform().TransformAsync(State(deployment), Context(options), default);

        var obj = result.State.Objects.Single();
        obj.Labels.Should().Equal(new Dictionary<string, string> { ["team"] = "payments", ["app"] = "web" });
        obj.GetAnnotation("owner").Should().Be("ops@example.com");
        obj.Json.GetProperty("spec").GetProperty("selector").GetProperty("matchLabels").EnumerateObject().Select(p => p.Name).Should().Equal("app");
        obj.Json.GetProperty("spec").GetProperty("template").GetProperty("metadata").GetProperty("labels").EnumerateObject().Select(p => p.Name).Should().Equal("app");
    }

    [Fact]
    public async Task TransformAsync_NothingConfigured_ReturnsTheSameState()
    {
        var state = State(ConfigMap("a"));

        var result = await new CommonMetadataTransform().TransformAsync(state, Context(new RenderOptions()), default);

        result.State.Should().BeSameAs(state);
    }
}

public sealed class VariableSubstitutionTransformTests
{
    private static readonly Dictionary<string, string> Variables = new() { ["CLUSTER"] = "eu-1", ["REPLICAS"] = "3", ["MULTILINE"] = "a\nkind: Secret" };

    [Fact]
    public async Task TransformAsync_Disabled_LeavesReferencesAlone()
    {
        var state = State(ConfigMap("a", data: """{"c":"${CLUSTER}"}"""));

        var result = await Transform(state, new RenderOptions { Variables = Variables });

        result.State.Should().BeSameAs(state);
    }

    [Fact]
    public async Task TransformAsync_Enabled_ReplacesVariablesAndDefaultsInStringValues()
    {
        var state = State(ConfigMap("cfg-${CLUSTER}", data: """{"c":"cluster=${CLUSTER}, zone=${ZONE:=eu-1a}, empty=${E:=}","n":"${REPLICAS}","list":["${CLUSTER}",1,true],"${CLUSTER}":"key stays"}"""));

        var result = await Transform(state, Enabled());

        result.Errors.Should().BeEmpty();
        var obj = result.State.Objects.Single();
        obj.Name.Should().Be("cfg-eu-1");
        var data = obj.Json.GetProperty("data");
        data.GetProperty("c").GetString().Should().Be("cluster=eu-1, zone=eu-1a, empty=");
        data.GetProperty("n").ValueKind.Should().Be(JsonValueKind.String, "a substituted value stays a string");
        data.GetProperty("n").GetString().Should().Be("3");
        data.GetProperty("list")[0].GetString().Should().Be("eu-1");
        data.GetProperty("${CLUSTER}").GetString().Should().Be("key stays", "keys are never substituted");
        obj.Origin!.File.Should().Be("app/manifests.yaml");
    }

    [Fact]
    public async Task TransformAsync_ValueWithYamlInside_CannotInjectStructure()
    {
        var result = await Transform(State(ConfigMap("a", data: """{"v":"${MULTILINE}"}""")), Enabled());

        var obj = result.State.Objects.Single();
        obj.Kind.Should().Be("ConfigMap");
        obj.Json.GetProperty("data").EnumerateObject().Should().ContainSingle().Which.Value.GetString().Should().Be("a\nkind: Secret");
    }

    [Fact]
    public async Task TransformAsync_EscapedAndForeignForms_AreKeptLiterally()
    {
        var result = await Transform(State(ConfigMap("a", data: """{"escaped":"$${CLUSTER}","shell":"${X:-fallback} ${#X} $HOME ${1}"}""")), Enabled());

        result.Errors.Should().BeEmpty();
        var data = result.State.Objects.Single().Json.GetProperty("data");
        data.GetProperty("escaped").GetString().Should().Be("${CLUSTER}");
        data.GetProperty("shell").GetString().Should().Be("${X:-fallback} ${#X} $HOME ${1}");
    }

    [Fact]
    public async Task TransformAsync_UndefinedVariableWithoutDefault_FailsNamingVariableObjectFileDocumentAndPath()
    {
        var state = State(ConfigMap("first"), ConfigMap("second", "shop", """{"url":"https://${HOST}/x"}"""));

        var result = await Transform(state, Enabled());

        var error = result.Errors.Should().ContainSingle().Subject;
        error.Code.Should().Be("undefined-variable");
        error.File.Should().Be("app/manifests.yaml");
        error.DocumentIndex.Should().Be(1);
        error.Object.Should().Be(new ResourceKey("", "ConfigMap", "shop", "second"));
        error.Message.Should().Contain("'HOST'").And.Contain("/data/url");
        result.State.Objects.Should().BeEmpty();
    }

    [Fact]
    public async Task TransformAsync_OptOutAnnotation_SkipsTheObject()
    {
        var optedOut = $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"script","annotations":{"{{{WellKnown.SubstituteAnnotation}}}":"disabled"}},"data":{"run.sh":"echo ${UNDEFINED}"}}""";

        var result = await Transform(State(optedOut), Enabled());

        result.Errors.Should().BeEmpty();
        result.State.Objects.Single().Json.GetProperty("data").GetProperty("run.sh").GetString().Should().Be("echo ${UNDEFINED}");
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("${CLUSTER}${CLUSTER}", "eu-1eu-1")]
    [InlineData("$", "$")]
    [InlineData("${", "${")]
    [InlineData("${CLUSTER", "${CLUSTER")]
    [InlineData("${A:=x", "${A:=x")]
    [InlineData("${_under_9:=d}", "d")]
    public void Substitute_EdgeCases(string input, string expected)
    {
        var undefined = new List<string>();

        VariableSubstitutionTransform.Substitute(input, Variables, undefined).Should().Be(expected);
        undefined.Should().BeEmpty();
    }

    private static RenderOptions Enabled() => new() { SubstituteVariables = true, Variables = Variables };

    private static ValueTask<RenderResult> Transform(DesiredState state, RenderOptions options) =>
        new VariableSubstitutionTransform().TransformAsync(state, Context(options), default);
}

public sealed class OwnershipTransformTests
{
    [Fact]
    public async Task TransformAsync_EveryObject_GetsTrackingLabelAndId()
    {
        var state = State(ConfigMap("a", "shop"), Object("rbac.authorization.k8s.io/v1", "ClusterRole", "reader"));

        var result = await new OwnershipTransform(Options()).TransformAsync(state, Context(new RenderOptions { ApplicationName = "shop-prod" }), default);

        result.State.Objects.Should().OnlyContain(o => o.GetLabel(WellKnown.ApplicationLabel) == "shop-prod");
        result.State.Objects.Select(o => o.GetAnnotation(WellKnown.TrackingIdAnnotation)).Should().Equal(
            "shop-prod:/ConfigMap:shop/a",
            "shop-prod:rbac.authorization.k8s.io/ClusterRole:/reader");
    }

    [Fact]
    public async Task TransformAsync_ConfiguredNames_AreUsed()
    {
        var transform = new OwnershipTransform(Options(o =>
        {
            o.TrackingLabel = "example.com/app";
            o.TrackingIdAnnotation = "example.com/id";
        }));

        var result = await transform.TransformAsync(State(ConfigMap("a")), Context(new RenderOptions { ApplicationName = "shop" }), default);

        var obj = result.State.Objects.Single();
        obj.GetLabel("example.com/app").Should().Be("shop");
        obj.GetAnnotation("example.com/id").Should().Be("shop:/ConfigMap:/a");
        obj.GetLabel(WellKnown.ApplicationLabel).Should().BeNull();
    }

    [Fact]
    public async Task TransformAsync_AlreadyMarked_KeepsTheSameInstance()
    {
        var transform = new OwnershipTransform(Options());
        var once = await transform.TransformAsync(State(ConfigMap("a")), Context(new RenderOptions { ApplicationName = "shop" }), default);

        var twice = await transform.TransformAsync(once.State, Context(new RenderOptions { ApplicationName = "shop" }), default);

        twice.State.Should().BeSameAs(once.State);
    }

    [Theory]
    [InlineData("shop/prod")]
    [InlineData("-shop")]
    [InlineData("a-name-that-is-far-too-long-to-be-a-kubernetes-label-value-0123456789")]
    public async Task TransformAsync_ApplicationNameNotALabelValue_Fails(string application)
    {
        var result = await new OwnershipTransform(Options()).TransformAsync(State(ConfigMap("a")), Context(new RenderOptions { ApplicationName = application }), default);

        result.Errors.Should().ContainSingle().Which.Code.Should().Be("invalid-application-name");
    }
}
