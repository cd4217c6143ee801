namespace GitOps.Sdk.Abstractions.Tests;

public sealed class ResourceKeyTests
{
    [Theory]
    [InlineData("apps", "Deployment", "shop", "web", "apps/Deployment/shop/web")]
    [InlineData("", "ConfigMap", "shop", "settings", "/ConfigMap/shop/settings")]
    [InlineData("", "Namespace", "", "shop", "/Namespace//shop")]
    [InlineData("rbac.authorization.k8s.io", "ClusterRole", "", "system:view", "rbac.authorization.k8s.io/ClusterRole//system:view")]
    public void ToString_AndParse_RoundTrip(string group, string kind, string ns, string name, string text)
    {
        var key = new ResourceKey(group, kind, ns, name);

        key.ToString().Should().Be(text);
        ResourceKey.Parse(text).Should().Be(key);
        ResourceKey.TryParse(text, out var parsed).Should().BeTrue();
        parsed.Should().Be(key);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("apps/Deployment/web")]
    [InlineData("apps//shop/web")]
    [InlineData("apps/Deployment/shop/")]
    [InlineData("a/b/c/d/e")]
    public void TryParse_Malformed_False(string? text)
    {
        ResourceKey.TryParse(text, out _).Should().BeFalse();
        if (text is not null)
        {
            var act = () => ResourceKey.Parse(text);
            act.Should().Throw<FormatException>();
        }
    }

    [Fact]
    public void CompareTo_OrdersByGroupKindNamespaceNameOrdinal()
    {
        var keys = new[]
        {
            new ResourceKey("apps", "Deployment", "b", "a"),
            new ResourceKey("", "Secret", "a", "z"),
            new ResourceKey("apps", "Deployment", "a", "b"),
            new ResourceKey("", "ConfigMap", "a", "a"),
            new ResourceKey("apps", "DaemonSet", "a", "a"),
            new ResourceKey("", "configMap", "a", "a"),
        };

        keys.Order().Select(k => k.ToString()).Should().Equal(
            "/ConfigMap/a/a", "/Secret/a/z", "/configMap/a/a", "apps/DaemonSet/a/a", "apps/Deployment/a/b", "apps/Deployment/b/a");
        (keys[2] < keys[0]).Should().BeTrue();
        (keys[0] >= keys[2]).Should().BeTrue();
    }

    [Fact]
    public void Equality_IsCaseSensitive()
    {
        new ResourceKey("", "ConfigMap", "a", "x").Should().NotBe(new ResourceKey("", "Configmap", "a", "x"));
    }

    [Fact]
    public void WithNamespace_ChangesOnlyNamespace()
    {
        var key = new ResourceKey("apps", "Deployment", string.Empty, "web");

        key.WithNamespace("shop").Should().Be(new ResourceKey("apps", "Deployment", "shop", "web"));
        key.GroupKind.Should().Be(new GroupKind("apps", "Deployment"));
    }

    [Theory]
    [InlineData("apps/v1", "apps", "v1")]
    [InlineData("v1", "", "v1")]
    [InlineData("rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io", "v1")]
    public void SplitApiVersion_GroupAndVersion(string apiVersion, string group, string version)
    {
        GroupKind.SplitApiVersion(apiVersion).Should().Be((group, version));
    }

    [Fact]
    public void GroupKind_ToString_KubectlForm()
    {
        new GroupKind("apps", "Deployment").ToString().Should().Be("Deployment.apps");
        new GroupKind(string.Empty, "Service").ToString().Should().Be("Service");
    }
}
