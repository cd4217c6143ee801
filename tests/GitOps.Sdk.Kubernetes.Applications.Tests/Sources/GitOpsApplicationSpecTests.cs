using GitOps.Sdk.Helm.Rendering;
using GitOps.Sdk.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.Kubernetes.Applications.Tests.Sources;

public sealed class GitOpsApplicationSpecTests
{
    private static readonly GitOpsApplicationSourceOptions Confined = new();

    [Fact]
    public void Read_FullSpec_MapsEveryFieldOntoTheDefinition()
    {
        using var services = new ServiceCollection().AddGitOps().AddHelmRenderer().Services.BuildServiceProvider();
        var entry = GitOpsApplicationSpec.Read(Resource("shop", "shop", """
            {
              "source": { "url": "https://git.example.com/shop.git", "ref": "v1.2", "type": "git" },
              "path": "apps/shop",
              "renderer": "helm",
              "createNamespace": true,
              "interval": "10m",
              "minRetryDelay": "30s",
              "maxRetryDelay": "00:20:00",
              "prune": false,
              "allowEmptyPrune": true,
              "allowAdoption": true,
              "forceConflicts": false,
              "mode": "DetectOnly",
              "suspended": true,
              "waitForHealth": true,
              "healthTimeout": "2m",
              "dependsOn": ["shop-db", "shop-cache"],
              "deniedKinds": ["Secret"],
              "commonLabels": { "team": "shop" },
              "variables": { "ENV": "prod" },
              "values": "replicas: 3\n",
              "releaseName": "storefront"
            }
            """, generation: 4), Confined, services.GetServices<IRendererOptionsBinder>());

        entry.Problems.Should().BeEmpty();
        entry.Generation.Should().Be(4);
        var d = entry.Definition!;
        d.Name.Should().Be("shop");
        d.Source.Should().BeEquivalentTo(new SourceReference { Url = "https://git.example.com/shop.git", Ref = "v1.2", Type = "git" });
        d.Path.Should().Be("apps/shop");
        d.Renderer.Should().Be("helm");
        d.Namespace.Should().Be("shop", "the resource's namespace is the default target");
        d.AllowedNamespaces.Should().Equal("shop");
        d.CreateNamespace.Should().BeTrue();
        d.Interval.Should().Be(TimeSpan.FromMinutes(10));
        d.MinRetryDelay.Should().Be(TimeSpan.FromSeconds(30));
        d.MaxRetryDelay.Should().Be(TimeSpan.FromMinutes(20));
        d.Prune.Should().BeFalse();
        d.AllowEmptyPrune.Should().BeTrue();
        d.AllowAdoption.Should().BeTrue();
        d.ForceConflicts.Should().BeFalse();
        d.Mode.Should().Be(ReconcileMode.DetectOnly);
        d.Suspended.Should().BeTrue();
        d.WaitForHealth.Should().BeTrue();
        d.HealthTimeout.Should().Be(TimeSpan.FromMinutes(2));
        d.DependsOn.Should().Equal("shop-db", "shop-cache");
        d.DeniedKinds.Should().Equal("Secret");
        d.CommonLabels.Should().Contain("team", "shop");
        d.Variables.Should().Contain("ENV", "prod");
        var helm = d.RendererOptions["helm"].Should().BeOfType<HelmRenderOptions>().Subject;
        helm.Values.Should().Be("replicas: 3\n");
        helm.ReleaseName.Should().Be("storefront");
    }

    [Fact]
    public void Read_SourceAsUrlString_IsTheSourceUrl()
    {
        var entry = GitOpsApplicationSpec.Read(Resource("team-a", "web", """{ "source": "https://git.example.com/web.git", "ref": "main" }"""), Confined, null);

        entry.Definition!.Source.Should().BeEquivalentTo(new SourceReference { Url = "https://git.example.com/web.git", Ref = "main" });
        entry.Definition.Interval.Should().Be(TimeSpan.FromMinutes(5), "the engine's default");
        entry.Definition.Prune.Should().BeTrue();
    }

    [Fact]
    public void Read_ValueThatDoesNotParse_IsAProblemNamingTheFieldAndNoDefinition()
    {
        var entry = GitOpsApplicationSpec.Read(Resource("team-a", "web", """{ "source": { "url": "https://git.example.com/web.git" }, "interval": "banana", "prune": "sometimes" }"""), Confined, null);

        entry.Definition.Should().BeNull();
        entry.Problems.Should().HaveCount(2);
        entry.Problems[0].Should().Be("GitOpsApplication team-a/web: spec:Interval: 'banana' is not a duration (examples: 00:05:00, 5m, 30s, 1h).");
        entry.Problems[1].Should().Contain("spec:Prune: 'sometimes' is not true or false");
    }

    [Fact]
    public void Read_InvalidSettings_AreTheEngineValidationMessages()
    {
        var entry = GitOpsApplicationSpec.Read(Resource("team-a", "web", """{ "source": { "url": "" }, "minRetryDelay": "10m", "maxRetryDelay": "1m", "path": "../etc", "dependsOn": ["Not A Name"] }"""), Confined, null);

        entry.Definition.Should().BeNull();
        entry.Problems.Should().BeEquivalentTo(
            "GitOpsApplication team-a/web: GitOps application 'web': Source.Url is required (a Git URL, oci://… or a Helm repository URL).",
            "GitOpsApplication team-a/web: GitOps application 'web': MaxRetryDelay (00:01:00) must not be less than MinRetryDelay (00:10:00).",
            "GitOpsApplication team-a/web: GitOps application 'web': Path '../etc' must be relative and must not contain '..'.",
            "GitOpsApplication team-a/web: GitOps application 'web': DependsOn entry 'Not A Name' is not an application name (a DNS label).");
    }

    [Fact]
    public void Read_NoSpec_IsAProblem()
    {
        var entry = GitOpsApplicationSpec.Read(KubeObject.Parse("""{"apiVersion":"gitops.sdk.io/v1alpha1","kind":"GitOpsApplication","metadata":{"name":"web","namespace":"team-a","uid":"u1","generation":1}}"""), Confined, null);

        entry.Definition.Should().BeNull();
        entry.Problems.Should().ContainSingle().Which.Should().Contain("spec is required");
    }

    [Theory]
    [InlineData("""{ "namespace": "kube-system" }""", "spec.namespace 'kube-system' is refused")]
    [InlineData("""{ "allowedNamespaces": ["team-a", "team-b"] }""", "spec.allowedNamespaces (team-b) is refused")]
    [InlineData("""{ "allowedNamespaces": ["*"] }""", "spec.allowedNamespaces (*) is refused")]
    [InlineData("""{ "allowedClusterKinds": ["ClusterRole.rbac.authorization.k8s.io"] }""", "spec.allowedClusterKinds (ClusterRole.rbac.authorization.k8s.io) is refused")]
    [InlineData("""{ "allowClusterAdminBindings": true }""", "spec.allowClusterAdminBindings is refused")]
    [InlineData("""{ "allowTakeover": true }""", "spec.allowTakeover is refused")]
    [InlineData("""{ "credentialsName": "platform-deploy-key" }""", "spec.source.credentialsName is refused")]
    public void Read_OutsidePrivilegedNamespaces_AnythingBeyondItsNamespaceIsRefused(string extra, string expected)
    {
        var spec = Merge("""{ "source": { "url": "https://git.example.com/web.git" } }""", extra);

        var entry = GitOpsApplicationSpec.Read(Resource("team-a", "web", spec), Confined, null);

        entry.Definition.Should().BeNull();
        entry.Problems.Should().ContainSingle().Which.Should().Contain(expected)
            .And.Contain("a GitOpsApplication in namespace 'team-a' deploys only to 'team-a'")
            .And.Contain("GitOpsApplicationSourceOptions.PrivilegedNamespaces");
    }

    [Fact]
    public void Read_InPrivilegedNamespace_TheSpecDecides()
    {
        var options = new GitOpsApplicationSourceOptions();
        options.PrivilegedNamespaces.Add("platform");

        var entry = GitOpsApplicationSpec.Read(
            Resource("platform", "ingress", """{ "source": { "url": "https://git.example.com/ingress.git", "credentialsName": "deploy-key" }, "namespace": "ingress", "allowedNamespaces": ["ingress", "ingress-*"], "allowedClusterKinds": ["ClusterRole.rbac.authorization.k8s.io"] }"""),
            options,
            null);

        entry.Problems.Should().BeEmpty();
        entry.Definition!.Namespace.Should().Be("ingress");
        entry.Definition.AllowedNamespaces.Should().Equal("ingress", "ingress-*");
        entry.Definition.AllowedClusterKinds.Should().Equal("ClusterRole.rbac.authorization.k8s.io");
        entry.Definition.Source!.CredentialsName.Should().Be("deploy-key");
    }

    internal static KubeObject Resource(string ns, string name, string spec, long generation = 1, string? uid = null, string? created = null) =>
        KubeObject.Parse($$"""
            {"apiVersion":"gitops.sdk.io/v1alpha1","kind":"GitOpsApplication",
             "metadata":{"name":"{{name}}","namespace":"{{ns}}","uid":"{{uid ?? ns + "-" + name}}","generation":{{generation}},"creationTimestamp":"{{created ?? "2026-01-01T00:00:00Z"}}"},
             "spec":{{spec}}}
            """);

    private static string Merge(string a, string b)
    {
        var left = System.Text.Json.Nodes.JsonNode.Parse(a)!.AsObject();
        foreach (var (key, value) in System.Text.Json.Nodes.JsonNode.Parse(b)!.AsObject().ToArray())
        {
            if (key == "credentialsName")
            {
                left["source"]!["credentialsName"] = value!.DeepClone();
            }
            else
            {
                left[key] = value!.DeepClone();
            }
        }

        return left.ToJsonString();
    }
}
