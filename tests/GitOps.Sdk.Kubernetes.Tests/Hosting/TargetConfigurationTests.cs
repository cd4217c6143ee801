using GitOps.Sdk.Kubernetes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Kubernetes.Tests.Hosting;

/// <summary>The Kubernetes target is configurable from the GitOps section (GitOps:Target, GitOps:LeaderElection); code still wins.</summary>
public sealed class TargetConfigurationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> values, Action<KubernetesTargetOptions>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddGitOps(configuration).AddKubernetesTarget(configure);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void GitOpsTargetSection_SetsTheTargetOptions_AndTheLease()
    {
        using var provider = Build(new()
        {
            ["GitOps:Target:Kubeconfig"] = "/etc/gitops/kubeconfig",
            ["GitOps:Target:Context"] = "kind-dev",
            ["GitOps:Target:MaxRetries"] = "2",
            ["GitOps:Target:RequestTimeout"] = "10s",
            ["GitOps:Target:InventoryKind"] = "secret",
            ["GitOps:LeaderElection:LeaseName"] = "shop-leader",
            ["GitOps:LeaderElection:LeaseDuration"] = "30s",
        });

        var options = provider.GetRequiredService<IOptions<KubernetesTargetOptions>>().Value;
        var lease = provider.GetRequiredService<IOptions<LeaseLeaderElectorOptions>>().Value;

        options.KubeconfigPath.Should().Be("/etc/gitops/kubeconfig");
        options.Context.Should().Be("kind-dev");
        options.MaxRetries.Should().Be(2);
        options.RequestTimeout.Should().Be(TimeSpan.FromSeconds(10));
        options.InventoryKind.Should().Be(InventoryObjectKind.Secret);
        lease.LeaseName.Should().Be("shop-leader");
        lease.LeaseDuration.Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void CodeConfigure_StillWorks_AndWinsOverTheSection()
    {
        using var provider = Build(
            new() { ["GitOps:Target:Context"] = "from-config", ["GitOps:Target:FieldManager"] = "platform" },
            o => o.Context = "from-code");

        var options = provider.GetRequiredService<IOptions<KubernetesTargetOptions>>().Value;

        options.Context.Should().Be("from-code");
        options.FieldManager.Should().Be("platform");
    }

    [Fact]
    public void BadTargetSettings_AreListedWithTheEngineProblems_InOneException()
    {
        using var provider = Build(new()
        {
            ["GitOps:Applications:web:Source"] = "https://git.example.com/web.git",
            ["GitOps:Applications:web:Prune"] = "yes",
            ["GitOps:Target:MaxConcurrency"] = "0",
            ["GitOps:Target:MaxRetries"] = "lots",
            ["GitOps:Target:Kubeconfg"] = "/etc/gitops/kubeconfig",
        });

        var read = () => provider.GetRequiredService<IOptions<GitOps.Sdk.Hosting.GitOpsOptions>>().Value;

        read.Should().Throw<GitOpsConfigurationException>().Which.Errors.Should().BeEquivalentTo(
            "GitOps:Applications:web:Prune: 'yes' is not true or false.",
            "GitOps:Target:Kubeconfg is not a known key (did you mean Kubeconfig?).",
            "GitOps:Target:MaxRetries: 'lots' is not a whole number.",
            "GitOps:Target:MaxConcurrency: The field MaxConcurrency must be between 1 and 256.");
    }
}
