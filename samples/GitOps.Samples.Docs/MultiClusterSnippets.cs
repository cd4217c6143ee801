using GitOps.Sdk;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Kubernetes;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Samples.Docs;

/// <summary>The multi-cluster code shown in docs/multi-cluster.md, compiled.</summary>
internal static class MultiClusterSnippets
{
    public static void TwoClusters(IServiceCollection services)
    {
        var source = new SourceReference { Url = "https://git.example.com/shop/deploy.git", Ref = "main" };
        services.AddGitOps()
            .AddApplication(new ApplicationDefinition { Name = "shop-staging", Target = "staging", Source = source, Path = "apps/shop", Namespace = "shop" })
            .AddApplication(new ApplicationDefinition { Name = "shop-prod", Target = "prod", Source = source, Path = "apps/shop", Namespace = "shop" })
            .AddGitSource()
            .AddKubernetesTarget("staging", o => { o.KubeconfigPath = "/etc/gitops/kubeconfig"; o.Context = "staging"; })
            .AddKubernetesTarget("prod", o => { o.KubeconfigPath = "/etc/gitops/kubeconfig"; o.Context = "prod"; o.FieldManager = "platform"; });
    }

    public static void FromASecret(IGitOpsBuilder gitops) =>
        gitops
            .AddKubernetesTarget()                        // the management cluster: in-cluster or ~/.kube/config
            .AddKubernetesTarget("edge-1", o => o.KubeconfigSecret = new KubeconfigSecretReference
            {
                Namespace = "gitops-system",
                Name = "edge-1-kubeconfig",               // data key "value" holds the kubeconfig
            });
}
