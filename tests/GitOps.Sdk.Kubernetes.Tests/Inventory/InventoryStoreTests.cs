using GitOps.Sdk.Kubernetes;
using static GitOps.Sdk.Kubernetes.Tests.Emulated.KubeTarget;

namespace GitOps.Sdk.Kubernetes.Tests.Emulated;

public class InventoryStoreTests
{
    private static Inventory Sample(string app) => new()
    {
        Application = app,
        Revision = "main@sha1:0123456789abcdef",
        Entries =
        [
            new InventoryEntry(new ResourceKey("apps", "Deployment", "shop", "web"), "apps/v1") { AppliedHash = "abc" },
            new InventoryEntry(new ResourceKey(string.Empty, "Namespace", string.Empty, "shop"), "v1"),
        ],
    };

    [Theory]
    [InlineData(InventoryObjectKind.ConfigMap, "configmaps")]
    [InlineData(InventoryObjectKind.Secret, "secrets")]
    public async Task SaveAsync_NamespaceMissing_CreatesItAndRoundTrips(InventoryObjectKind kind, string resource)
    {
        await using var t = await KubeTarget.StartAsync(o =>
        {
            o.InventoryKind = kind;
            o.InventoryNamespace = "platform-system";
        });

        (await t.Inventory.GetAsync("shop", CancellationToken.None)).Should().BeNull();
        await t.Inventory.SaveAsync(Sample("shop"), CancellationToken.None);
        var read = await t.Inventory.GetAsync("shop", CancellationToken.None);

        read!.Revision.Should().Be("main@sha1:0123456789abcdef");
        read.Entries.Should().BeEquivalentTo(Sample("shop").Entries);
        read.Entries[0].Key.Kind.Should().Be("Namespace", "entries are stored sorted by key");
        using var raw = await t.Client.HttpClient.GetAsync(new Uri(t.Client.BaseUri, $"api/v1/namespaces/platform-system/{resource}/gitops-inventory-shop"));
        raw.IsSuccessStatusCode.Should().BeTrue();
    }

    [Fact]
    public async Task DeleteAsync_Existing_GoneAndMissingIsFine()
    {
        await using var t = await KubeTarget.StartAsync();
        await t.Inventory.SaveAsync(Sample("shop"), CancellationToken.None);

        await t.Inventory.DeleteAsync("shop", CancellationToken.None);
        await t.Inventory.DeleteAsync("shop", CancellationToken.None);

        (await t.Inventory.GetAsync("shop", CancellationToken.None)).Should().BeNull();
    }
}
