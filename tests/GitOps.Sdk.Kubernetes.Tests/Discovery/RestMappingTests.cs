using GitOps.Sdk.Kubernetes;

namespace GitOps.Sdk.Kubernetes.Tests.Discovery;

public class RestMappingTests
{
    [Fact]
    public void Paths_CoreNamespaced_ApiPrefix()
    {
        var m = new RestMapping(string.Empty, "v1", "ConfigMap", "configmaps", Namespaced: true);

        m.ApiVersion.Should().Be("v1");
        m.ObjectPath("prod", "settings").Should().Be("api/v1/namespaces/prod/configmaps/settings");
        m.CollectionPath(null).Should().Be("api/v1/configmaps");
    }

    [Fact]
    public void Paths_GroupClusterScoped_IgnoresNamespace()
    {
        var m = new RestMapping("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", Namespaced: false);

        m.ObjectPath("prod", "viewer").Should().Be("apis/rbac.authorization.k8s.io/v1/clusterroles/viewer");
    }

    [Fact]
    public void Paths_OddName_Escaped()
    {
        var m = new RestMapping("apps", "v1", "Deployment", "deployments", Namespaced: true);

        m.ObjectPath("a b", "x/y").Should().Be("apis/apps/v1/namespaces/a%20b/deployments/x%2Fy");
    }
}
