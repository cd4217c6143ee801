using GitOps.Sdk.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.Kubernetes.Tests.Emulated;

public class RegistrationTests
{
    private sealed class Builder(IServiceCollection services) : IGitOpsBuilder
    {
        public IServiceCollection Services { get; } = services;
    }

    [Fact]
    public async Task AddKubernetesTarget_Kubeconfig_ResolvesWorkingServices()
    {
        await using var t = await KubeTarget.StartAsync();
        var services = new ServiceCollection();
        new Builder(services)
            .AddKubernetesTarget(o => o.KubeconfigPath = t.Api.KubeconfigPath)
            .AddKubernetesTarget(o => o.FieldManager = "platform");
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var writer = provider.GetRequiredService<IResourceWriter>();
        var live = provider.GetRequiredService<ILiveState>();
        var inventory = provider.GetRequiredService<IInventoryStore>();
        provider.GetRequiredService<KubernetesRestMapper>().Should().NotBeNull();
        provider.GetRequiredService<ILeaderElector>().Should().NotBeNull();
        provider.GetServices<IResourceWriter>().Should().ContainSingle("registering twice is harmless");

        var cm = KubeTarget.ConfigMap("via-di", "default", "shop");
        var result = await writer.ApplyAsync(new ApplyRequest { Desired = cm, Application = "shop" }, CancellationToken.None);
        await inventory.SaveAsync(new Inventory { Application = "shop", Entries = [new InventoryEntry(cm.Key, "v1")] }, CancellationToken.None);

        result.Outcome.Should().Be(ApplyOutcome.Created);
        var stored = await live.GetAsync(cm.Key, "v1", CancellationToken.None);
        stored!.Metadata.GetProperty("managedFields").EnumerateArray().Should().Contain(m => m.GetProperty("manager").GetString() == "platform");
        (await inventory.GetAsync("shop", CancellationToken.None))!.Entries.Should().ContainSingle();
    }
}
