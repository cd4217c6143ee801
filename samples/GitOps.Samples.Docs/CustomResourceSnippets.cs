using GitOps.Sdk;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Samples.Docs;

/// <summary>The custom resource code shown in docs/custom-resources.md, compiled.</summary>
internal static class CustomResourceSnippets
{
    public static void Controller(IServiceCollection services)
    {
        #region controller
        services.AddGitOps()
            .AddGitSource()
            .AddKubernetesTarget()
            .AddKubernetesApplications(o =>
            {
                o.InstallCrd = true;                        // or: kubectl apply --server-side -f deploy/crds/
                o.PrivilegedNamespaces.Add("platform-system"); // resources here may deploy to any namespace
            });
        #endregion
    }

    public static void Beside(IServiceCollection services, IConfiguration configuration)
    {
        #region beside
        services.AddGitOps(configuration)               // applications of the GitOps section, and
            .AddGitSource()
            .AddKubernetesTarget()
            .AddKubernetesApplications();               // GitOpsApplication resources, side by side
        #endregion
    }

    public static ApplicationStatus? Status(IGitOpsController gitops)
    {
        #region status
        // The same status kubectl shows for the GitOpsApplication "shop".
        ApplicationStatus? shop = gitops.GetStatus("shop");
        #endregion
        return shop;
    }

    public static IReadOnlyList<string> Reader(IConfiguration configuration, IEnumerable<IRendererOptionsBinder> rendererBinders)
    {
        #region reader
        var errors = new List<string>();
        var definition = ApplicationDefinitionReader.Read(configuration.GetSection("shop"), "shop", rendererBinders, errors);
        IReadOnlyList<string> problems = errors.Count > 0 ? errors : ApplicationDefinitionReader.Validate(definition);
        #endregion
        return problems;
    }
}
