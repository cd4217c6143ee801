using GitOps.Sdk;
using GitOps.Sdk.Kubernetes;
using k8s;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Kubernetes target: live state, resource writer, inventory store and lease-based leader election.</summary>
public static class KubernetesTargetServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Kubernetes target: <see cref="ILiveState"/> (<see cref="KubernetesLiveState"/>),
    /// <see cref="IResourceWriter"/> (<see cref="KubernetesResourceWriter"/>), <see cref="IInventoryStore"/>
    /// (<see cref="KubernetesInventoryStore"/>), <see cref="IReservedObjects"/>, <see cref="IContainerContents"/> and
    /// <see cref="ILeaderElector"/> (<see cref="LeaseLeaderElector"/>). Calling it twice is harmless; services registered before win.
    /// </summary>
    /// <param name="builder">The GitOps builder.</param>
    /// <param name="configure">
    /// Sets the connection (kubeconfig path, in-cluster or a client), field manager, concurrency and inventory location;
    /// applied after the <c>GitOps:Target</c> section of the configuration given to <c>AddGitOps(configuration)</c>
    /// (<c>GitOps:Target:Kubeconfig</c>, <c>GitOps:Target:Context</c>, …; lease settings under <c>GitOps:LeaderElection</c>).
    /// </param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// services.AddGitOps(...)
    ///     .AddKubernetesTarget(o =&gt;
    ///     {
    ///         o.KubeconfigPath = "/etc/gitops/kubeconfig";
    ///         o.FieldManager = "my-platform";
    ///         o.InventoryNamespace = "platform-system";
    ///     });
    /// </code>
    /// </example>
    public static IGitOpsBuilder AddKubernetesTarget(this IGitOpsBuilder builder, Action<KubernetesTargetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        // GitOps:Target and GitOps:LeaderElection of the configuration given to AddGitOps(configuration), before the code below.
        GitOpsConfigurationParts.Add<KubernetesTargetOptions>(builder, "Target");
        GitOpsConfigurationParts.Add<LeaseLeaderElectorOptions>(builder, "LeaderElection");
        var options = services.AddOptions<KubernetesTargetOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<KubernetesClientHolder>();
        services.TryAddSingleton(sp => new KubernetesRestMapper(
            sp.GetRequiredService<KubernetesClientHolder>().Client,
            sp.GetRequiredService<IOptions<KubernetesTargetOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<KubernetesRestMapper>>()));
        services.TryAddSingleton(sp => new KubernetesLiveState(
            sp.GetRequiredService<KubernetesClientHolder>().Client,
            sp.GetRequiredService<KubernetesRestMapper>(),
            sp.GetRequiredService<IOptions<KubernetesTargetOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<KubernetesLiveState>>()));
        services.TryAddSingleton<ILiveState>(sp => sp.GetRequiredService<KubernetesLiveState>());
        services.TryAddSingleton(sp => new KubernetesResourceWriter(
            sp.GetRequiredService<KubernetesClientHolder>().Client,
            sp.GetRequiredService<KubernetesRestMapper>(),
            sp.GetRequiredService<IOptions<KubernetesTargetOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<KubernetesResourceWriter>>()));
        services.TryAddSingleton<IResourceWriter>(sp => sp.GetRequiredService<KubernetesResourceWriter>());
        services.TryAddSingleton<IInventoryStore>(sp => new KubernetesInventoryStore(
            sp.GetRequiredService<KubernetesClientHolder>().Client,
            sp.GetRequiredService<IOptions<KubernetesTargetOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<KubernetesInventoryStore>>()));
        services.TryAddSingleton<IReservedObjects>(sp => new KubernetesReservedObjects(sp.GetRequiredService<IOptions<KubernetesTargetOptions>>().Value));
        services.TryAddSingleton<IContainerContents>(sp => new KubernetesContainerContents(
            sp.GetRequiredService<KubernetesClientHolder>().Client,
            sp.GetRequiredService<IOptions<KubernetesTargetOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<KubernetesContainerContents>>()));
        services.TryAddSingleton<ILeaderElector>(sp => new LeaseLeaderElector(
            sp.GetRequiredService<KubernetesClientHolder>().Client,
            sp.GetRequiredService<IOptions<LeaseLeaderElectorOptions>>().Value,
            sp.GetRequiredService<IOptions<KubernetesTargetOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<LeaseLeaderElector>>()));
        return builder;
    }
}

/// <summary>Builds (once) and owns the client the Kubernetes target talks through.</summary>
internal sealed class KubernetesClientHolder : IDisposable
{
    private readonly Lazy<IKubernetes> _client;
    private bool _owned;

    public KubernetesClientHolder(IOptions<KubernetesTargetOptions> options, TimeProvider timeProvider)
    {
        var o = options.Value;
        _client = new Lazy<IKubernetes>(() =>
        {
            if (o.Client is { } given)
            {
                return given;
            }

            _owned = true;
            return new k8s.Kubernetes(ClusterAccess.Resolve(o, timeProvider).Configuration);
        });
    }

    public IKubernetes Client => _client.Value;

    public void Dispose()
    {
        if (_owned && _client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}
