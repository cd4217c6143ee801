using GitOps.Sdk;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Kubernetes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitOps.Cli.Commands;

/// <summary>
/// Reads live objects from a cluster through the Kubernetes target (the kubeconfig found as kubectl finds it), for the
/// commands that compare with or report on the cluster without reconciling anything.
/// </summary>
internal static class ClusterLive
{
    /// <summary>Reads the live counterpart of every desired object, and with an application the objects of its inventory.</summary>
    /// <param name="desired">The desired objects (namespaces defaulted).</param>
    /// <param name="request">The diff request (kubeconfig, context, application).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The live objects found; inventory objects no desired object declares are included, so they show as prunes.</returns>
    public static async Task<List<KubeObject>> ReadAsync(IReadOnlyList<KubeObject> desired, DiffCommand.Request request, CancellationToken cancellationToken)
    {
        await using var services = Build(request.Kubeconfig, request.Context);
        var liveState = services.GetRequiredService<ILiveState>();
        var wanted = desired.Select(o => (o.Key, o.ApiVersion)).ToList();
        if (request.Application is { } application)
        {
            var inventory = await services.GetRequiredService<IInventoryStore>().GetAsync(application, cancellationToken).ConfigureAwait(false)
                ?? throw new DiffCommand.InputException($"the cluster holds no inventory of application '{application}'");
            var declared = desired.Select(o => o.Key).ToHashSet();
            wanted.AddRange(inventory.Entries.Where(e => !declared.Contains(e.Key)).Select(e => (e.Key, e.ApiVersion)));
        }

        var live = await liveState.GetManyAsync(wanted, cancellationToken).ConfigureAwait(false);
        return [.. wanted.Select(w => live.GetValueOrDefault(w.Key)).OfType<KubeObject>()];
    }

    /// <summary>Builds the engine's services with the Kubernetes target only; nothing is started.</summary>
    public static ServiceProvider Build(string? kubeconfig, string? context)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders());
        services.AddGitOps().AddKubernetesTarget(o =>
        {
            o.KubeconfigPath = kubeconfig;
            o.Context = context;
        });
        return services.BuildServiceProvider();
    }
}
