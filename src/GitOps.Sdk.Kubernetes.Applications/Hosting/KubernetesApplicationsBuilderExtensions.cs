using GitOps.Sdk;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Kubernetes;
using GitOps.Sdk.Kubernetes.Applications;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <c>GitOpsApplication</c> custom resources as an application source.</summary>
public static class KubernetesApplicationsBuilderExtensions
{
    /// <summary>
    /// Adds an application source that reads the <c>GitOpsApplication</c> custom resources of the cluster the Kubernetes
    /// target talks to (it adds <c>AddKubernetesTarget()</c> when missing): one application per resource, named after it,
    /// its spec read like an application of the <c>GitOps</c> configuration section and checked the same way, offered
    /// beside the other sources (a name another source has is refused, as between any two sources). Each resource's
    /// status subresource shows its application's conditions (<c>Ready</c>, <c>Reconciling</c>, <c>Stalled</c>), last
    /// applied revision, inventory summary and held plan. A resource outside
    /// <see cref="GitOpsApplicationSourceOptions.PrivilegedNamespaces"/> deploys only to its own namespace. Deleting a
    /// resource removes its application and prunes nothing. Calling it twice is harmless.
    /// </summary>
    /// <param name="builder">The GitOps builder.</param>
    /// <param name="configure">Sets the watched namespace, the privileged namespaces, CRD installation and the status field manager.</param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// builder.Services.AddGitOps()
    ///     .AddGitSource()
    ///     .AddKubernetesTarget()
    ///     .AddKubernetesApplications(o =&gt;
    ///     {
    ///         o.InstallCrd = true;
    ///         o.PrivilegedNamespaces.Add("platform-system");
    ///     });
    /// </code>
    /// </example>
    public static IGitOpsBuilder AddKubernetesApplications(this IGitOpsBuilder builder, Action<GitOpsApplicationSourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<GitOpsApplicationSourceOptions>().Validate(static o => !string.IsNullOrWhiteSpace(o.FieldManager), "GitOpsApplicationSourceOptions.FieldManager must not be empty.").ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (services.Any(static d => d.ServiceType == typeof(GitOpsApplicationSource)))
        {
            return builder;
        }

        builder.AddKubernetesTarget();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new GitOpsApplicationSource(
            sp.GetRequiredService<IOptions<GitOpsApplicationSourceOptions>>().Value,
            sp.GetServices<IRendererOptionsBinder>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<GitOpsApplicationSource>()));
        builder.AddApplicationSource<GitOpsApplicationSource>();
        services.TryAddSingleton(sp => new GitOpsApplicationWatcher(
            sp.GetRequiredService<GitOpsApplicationSource>(),
            sp.GetRequiredService<KubernetesLiveState>(),
            sp.GetRequiredService<IOptions<GitOpsApplicationSourceOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<GitOpsApplicationWatcher>()));
        services.TryAddSingleton(sp => new GitOpsApplicationStatusWriter(
            sp.GetRequiredService<GitOpsApplicationSource>(),
            sp.GetRequiredService<IGitOpsController>(),
            sp.GetRequiredService<KubernetesResourceWriter>(),
            sp.GetRequiredService<IOptions<GitOpsApplicationSourceOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<GitOpsApplicationStatusWriter>()));
        services.AddSingleton<IHostedService>(sp => new GitOpsApplicationsHostedService(
            sp.GetRequiredService<GitOpsApplicationWatcher>(),
            sp.GetRequiredService<GitOpsApplicationStatusWriter>(),
            sp.GetRequiredService<KubernetesResourceWriter>(),
            sp.GetRequiredService<IOptions<GitOpsApplicationSourceOptions>>().Value,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<GitOpsApplicationsHostedService>()));
        return builder;
    }
}
