using GitOps.Sdk;
using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Samples.Docs;

/// <summary>The sync hook and wave code shown in docs/sync-hooks.md, compiled.</summary>
internal static class SyncHookSnippets
{
    public static void Options(IServiceCollection services)
    {
        #region hook-options
        services.AddGitOps()
            .AddApplication(new ApplicationDefinition
            {
                Name = "shop",
                Source = new SourceReference { Url = "https://git.example.com/shop/deploy.git", Ref = "main" },
                Path = "apps/shop",
                Namespace = "shop",
                HookTimeout = TimeSpan.FromMinutes(15),       // a migration may take a while
                WaveHealthGate = true,                         // wave N+1 starts once wave N is healthy
                WaveHealthTimeout = TimeSpan.FromMinutes(3),
            })
            .AddGitSource()
            .AddKubernetesTarget();
        #endregion
    }

    public static IDisposable Watch(IGitOpsController gitops)
    {
        #region hook-events
        return gitops.Events.Subscribe(e =>
        {
            if (e is HookFinished h)
            {
                Console.WriteLine($"{h.Application}: {h.Phase} hook {h.Object} {(h.Succeeded ? "succeeded" : "failed")}: {h.Message}");
            }
        });
        #endregion
    }
}
