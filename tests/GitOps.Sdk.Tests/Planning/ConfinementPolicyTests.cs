using System.Collections.Immutable;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Planning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Tests.Planning;

public sealed class ConfinementPolicyTests
{
    private static KubeObject Obj(string apiVersion, string kind, string name, string? ns = null, string extra = "", string file = "f.yaml") =>
        KubeObject.Parse(
            $$"""{"apiVersion":"{{apiVersion}}","kind":"{{kind}}","metadata":{"name":"{{name}}"{{(ns is null ? string.Empty : $",\"namespace\":\"{ns}\"")}}}{{extra}}}""",
            new ObjectOrigin(file, 0));

    private static ImmutableArray<ConfinementViolation> Evaluate(ApplicationDefinition app, GitOpsOptions? host = null, params KubeObject[] objects) =>
        ConfinementPolicy.For(app, host ?? new GitOpsOptions(), []).Evaluate(new DesiredState { Objects = [.. objects] });

    [Fact]
    public void Evaluate_NoNamespaceAndNoLists_AllowsAnyNamespace_RefusesClusterKinds()
    {
        var app = new ApplicationDefinition { Name = "a" };

        var v = Evaluate(app, null, Obj("v1", "ConfigMap", "x", "anywhere"), Obj("storage.k8s.io/v1", "StorageClass", "fast"));

        v.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Rule = ConfinementRules.AllowedClusterKinds, Key = new ResourceKey("storage.k8s.io", "StorageClass", string.Empty, "fast") });
        v[0].Origin!.File.Should().Be("f.yaml");
    }

    [Fact]
    public void Evaluate_CustomResourceOfClusterScopedCrdInSameRevision_IsClusterScoped()
    {
        var crd = Obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com", extra: ""","spec":{"group":"example.com","scope":"Cluster","names":{"kind":"Widget"}}""");
        var app = new ApplicationDefinition { Name = "a", Namespace = "n", AllowedClusterKinds = ["CustomResourceDefinition.apiextensions.k8s.io"] };

        var v = Evaluate(app, null, crd, Obj("example.com/v1", "Widget", "w"));

        v.Should().ContainSingle().Which.Message.Should().Contain("Widget.example.com");
    }

    [Theory]
    [InlineData("RoleBinding", "n", "cluster-admin", true)]
    [InlineData("ClusterRoleBinding", null, "cluster-admin", true)]
    [InlineData("RoleBinding", "n", "view", false)]
    public void Evaluate_BindingToClusterAdmin_RefusedUnlessAllowed(string kind, string? ns, string role, bool refused)
    {
        var binding = Obj("rbac.authorization.k8s.io/v1", kind, "b", ns, $$""","roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"{{role}}"}""");
        var app = new ApplicationDefinition { Name = "a", Namespace = "n", AllowedClusterKinds = ["*.rbac.authorization.k8s.io"] };

        Evaluate(app, null, binding).Select(v => v.Rule).Should().Equal(refused ? [ConfinementRules.ClusterAdminBinding] : []);
        Evaluate(app with { AllowClusterAdminBindings = true }, null, binding).Should().BeEmpty();
    }

    [Fact]
    public void Evaluate_ExtraClusterScopedKindFromRenderStage_IsClusterScoped()
    {
        var app = new ApplicationDefinition { Name = "a" };

        var v = ConfinementPolicy.For(app, new GitOpsOptions(), ["Gadget.example.com"]).Evaluate(new DesiredState { Objects = [Obj("example.com/v1", "Gadget", "g")] });

        v.Should().ContainSingle().Which.Rule.Should().Be(ConfinementRules.AllowedClusterKinds);
    }

    [Fact]
    public void Validator_RejectsMalformedEntries_AndANamespaceOutsideTheList()
    {
        var options = new GitOpsOptions();
        options.AllowedClusterKinds.Add("rbac.authorization.k8s.io/ClusterRole");
        var app = new ApplicationDefinition { Name = "a", Namespace = "n", Source = new SourceReference { Url = "memory://x" }, AllowedNamespaces = ["other", "Bad_Name"], DeniedKinds = [" "] };
        options.Applications.Add(app);

        var result = new GitOpsOptionsValidator().Validate(null, options);

        result.Failed.Should().BeTrue();
        result.Failures.Should().Contain(f => f.Contains("GitOps: AllowedClusterKinds entry 'rbac.authorization.k8s.io/ClusterRole'", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("'a': AllowedNamespaces entry 'Bad_Name'", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("'a': DeniedKinds entry an empty kind", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("Namespace 'n' is not in AllowedNamespaces", StringComparison.Ordinal));
    }

    [Fact]
    public void Binder_ReadsConfinementOptions()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GitOps:AllowedClusterKinds:0"] = "Namespace",
            ["GitOps:DeniedKinds:0"] = "Secret",
            ["GitOps:Applications:shop:Url"] = "memory://shop",
            ["GitOps:Applications:shop:AllowedNamespaces:0"] = "shop-*",
            ["GitOps:Applications:shop:AllowedClusterKinds:0"] = "ClusterRole.rbac.authorization.k8s.io",
            ["GitOps:Applications:shop:DeniedKinds:0"] = "Job.batch",
            ["GitOps:Applications:shop:AllowClusterAdminBindings"] = "true",
        }).Build();
        var services = new ServiceCollection();
        services.AddGitOps(config);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<GitOpsOptions>>().Value;

        options.AllowedClusterKinds.Should().Equal("Namespace");
        options.DeniedKinds.Should().Equal("Secret");
        var shop = options.Applications.Single();
        shop.AllowedNamespaces.Should().Equal("shop-*");
        shop.AllowedClusterKinds.Should().Equal("ClusterRole.rbac.authorization.k8s.io");
        shop.DeniedKinds.Should().Equal("Job.batch");
        shop.AllowClusterAdminBindings.Should().BeTrue();
        (shop with { Name = "copy" }).AllowedNamespaces.Should().Equal("shop-*");
    }
}
