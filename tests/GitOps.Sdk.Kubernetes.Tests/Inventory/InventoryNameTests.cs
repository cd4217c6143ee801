using GitOps.Sdk.Kubernetes;

namespace GitOps.Sdk.Kubernetes.Tests.Inventories;

public class InventoryNameTests
{
    [Fact]
    public void ObjectName_DnsFriendlyApplication_Plain()
    {
        KubernetesInventoryStore.ObjectName("shop").Should().Be("gitops-inventory-shop");
    }

    [Fact]
    public void ObjectName_ApplicationNeedingChanges_SanitizedWithDistinctHash()
    {
        var a = KubernetesInventoryStore.ObjectName("Team_A/Shop");
        var b = KubernetesInventoryStore.ObjectName("team-a-shop");

        a.Should().MatchRegex("^gitops-inventory-team-a-shop-[0-9a-f]{10}$");
        a.Should().NotBe(b);
        KubernetesInventoryStore.ObjectName(new string('x', 400)).Length.Should().BeLessThanOrEqualTo(253);
    }
}
