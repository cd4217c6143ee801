using GitOps.Sdk;
using GitOps.Sdk.Hosting;
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
}
