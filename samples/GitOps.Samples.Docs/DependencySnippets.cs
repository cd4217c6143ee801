using GitOps.Sdk;
using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Samples.Docs;

/// <summary>The dependency code shown in docs/dependencies.md, compiled.</summary>
internal static class DependencySnippets
{
    public static void DependsOn(IServiceCollection services)
    {
        #region depends-on
        var source = new SourceReference { Url = "https://git.example.com/platform/deploy.git", Ref = "main" };
        services.AddGitOps()
            .AddApplication(new ApplicationDefinition
            {
                Name = "shop-db",
                Source = source,
                Path = "apps/shop-db",
                Namespace = "shop",
                WaitForHealth = true, // its reconcile ends when the database is healthy, which wakes shop at once
            })
            .AddApplication(new ApplicationDefinition
            {
                Name = "shop",
                Source = source,
                Path = "apps/shop",
                Namespace = "shop",
                DependsOn = ["shop-db"], // reconciles only while shop-db is ready, healthy and not suspended
            })
            .AddGitSource()
            .AddKubernetesTarget();
        #endregion
    }

    public static IDisposable Watch(IGitOpsController gitops)
    {
        #region dependency-status
        var ready = gitops.GetStatus("shop")!.GetCondition(ConditionTypes.Ready)!;
        if (ready.Reason == "DependencyNotReady")
        {
            Console.WriteLine(ready.Message); // waiting for shop-db (Progressing)
        }

        return gitops.Events.Subscribe(e =>
        {
            if (e is DependencyNotReady waiting)
            {
                Console.WriteLine($"{waiting.Application} waits for {string.Join(", ", waiting.Dependencies)}: {waiting.Message}");
            }
        });
        #endregion
    }
}
