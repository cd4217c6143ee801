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

        AddTargetParts(services, key: null, static sp => sp.GetRequiredService<IOptions<KubernetesTargetOptions>>().Value);
        services.TryAddSingleton<ILeaderElector>(sp => new LeaseLeaderElector(
            sp.GetRequiredService<KubernetesClientHolder>().Client,
            sp.GetRequiredService<IOptions<LeaseLeaderElectorOptions>>().Value,
            sp.GetRequiredService<IOptions<KubernetesTargetOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<LeaseLeaderElector>>()));
        return builder;
    }

    /// <summary>
    /// Adds a named Kubernetes target, a cluster that applications reach by naming it
    /// (<c>ApplicationDefinition.Target</c>, configuration key <c>Target</c>). It has a connection,
    /// discovery, watch caches, inventory store and reconcile concurrency limit of its own, so a cluster that is down, slow
    /// or refusing credentials holds up only the applications that name it. Its parts are keyed services under
    /// <paramref name="name"/>; its options are the named options <paramref name="name"/>
    /// (<c>services.Configure&lt;KubernetesTargetOptions&gt;("prod", …)</c> works too). Leader election stays the
    /// default target's. Calling it twice with one name is harmless; services registered before win.
    /// </summary>
    /// <param name="builder">The GitOps builder.</param>
    /// <param name="name">The target's name (what applications name as <c>Target</c>).</param>
    /// <param name="configure">Sets the connection (kubeconfig path and context, in-cluster or a client), field manager, concurrency and inventory location.</param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// services.AddGitOps(builder.Configuration)          // GitOps:Applications:shop-prod:Target = "prod"
    ///     .AddGitSource()
    ///     .AddKubernetesTarget("prod", o =&gt; { o.KubeconfigPath = "/etc/gitops/prod.kubeconfig"; })
    ///     .AddKubernetesTarget("staging", o =&gt; { o.KubeconfigPath = "/etc/gitops/all.kubeconfig"; o.Context = "staging"; });
    /// </code>
    /// </example>
    public static IGitOpsBuilder AddKubernetesTarget(this IGitOpsBuilder builder, string name, Action<KubernetesTargetOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var services = builder.Services;
        var options = services.AddOptions<KubernetesTargetOptions>(name).ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        AddTargetParts(services, name, sp => sp.GetRequiredService<IOptionsMonitor<KubernetesTargetOptions>>().Get(name));
        return builder;
    }

    /// <summary>Registers one target's parts: unkeyed for the default target (<paramref name="key"/> null), keyed by its name otherwise.</summary>
    private static void AddTargetParts(IServiceCollection services, string? key, Func<IServiceProvider, KubernetesTargetOptions> options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton(key, (sp, _) =>
        {
            var o = options(sp);
            var time = sp.GetRequiredService<TimeProvider>();
            if (o.Client is null && o.KubeconfigSecret is { } secret)
            {
                if (key is null)
                {
                    throw new InvalidOperationException("KubernetesTargetOptions.KubeconfigSecret is for a named target (AddKubernetesTarget(\"name\", ...)): the default target is the management cluster the Secret is read from.");
                }

                var management = sp.GetService<KubernetesClientHolder>() ?? throw new InvalidOperationException(
                    $"target '{key}' reads its kubeconfig from {secret} in the management cluster: register the default target too (AddKubernetesTarget()).");
                var managementOptions = sp.GetRequiredService<IOptions<KubernetesTargetOptions>>().Value;
                var logger = sp.GetService<ILogger<KubernetesClientHolder>>();
                return new KubernetesClientHolder(new SecretKubeconfigClient(key, secret, o.Context, new Lazy<KubeApiClient>(() => new KubeApiClient(management.Client, managementOptions, time, logger)), time));
            }

            return new KubernetesClientHolder(o, time);
        });
        services.TryAddKeyedSingleton(key, (sp, _) => new KubernetesRestMapper(
            sp.GetRequiredKeyedService<KubernetesClientHolder>(key).Client,
            options(sp),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<KubernetesRestMapper>>()));
        services.TryAddKeyedSingleton(key, (sp, _) => new KubernetesLiveState(
            sp.GetRequiredKeyedService<KubernetesClientHolder>(key).Client,
            sp.GetRequiredKeyedService<KubernetesRestMapper>(key),
            options(sp),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<KubernetesLiveState>>()));
        services.TryAddKeyedSingleton<ILiveState>(key, (sp, _) => sp.GetRequiredKeyedService<KubernetesLiveState>(key));
        services.TryAddKeyedSingleton(key, (sp, _) => new KubernetesResourceWriter(
            sp.GetRequiredKeyedService<KubernetesClientHolder>(key).Client,
            sp.GetRequiredKeyedService<KubernetesRestMapper>(key),
            options(sp),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<KubernetesResourceWriter>>()));
        services.TryAddKeyedSingleton<IResourceWriter>(key, (sp, _) => sp.GetRequiredKeyedService<KubernetesResourceWriter>(key));
        services.TryAddKeyedSingleton<IInventoryStore>(key, (sp, _) => new KubernetesInventoryStore(
            sp.GetRequiredKeyedService<KubernetesClientHolder>(key).Client,
            options(sp),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<KubernetesInventoryStore>>()));
        services.TryAddKeyedSingleton<IReservedObjects>(key, (sp, _) => new KubernetesReservedObjects(options(sp)));
        services.TryAddKeyedSingleton<IContainerContents>(key, (sp, _) => new KubernetesContainerContents(
            sp.GetRequiredKeyedService<KubernetesClientHolder>(key).Client,
            options(sp),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<KubernetesContainerContents>>()));
    }
}

/// <summary>Builds (once) and owns the client the Kubernetes target talks through.</summary>
internal sealed class KubernetesClientHolder : IDisposable
{
    private readonly Lazy<IKubernetes> _client;
    private bool _owned;

    public KubernetesClientHolder(KubernetesTargetOptions options, TimeProvider timeProvider)
    {
        var o = options;
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

    /// <summary>Holds a client built elsewhere (a kubeconfig kept in a Secret), owned and disposed with the holder.</summary>
    public KubernetesClientHolder(IKubernetes owned)
    {
        _client = new Lazy<IKubernetes>(owned);
        _owned = true;
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
