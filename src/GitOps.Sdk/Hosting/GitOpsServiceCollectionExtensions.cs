using System.Diagnostics.Metrics;
using GitOps.Sdk;
using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Reconciliation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the GitOps engine: options, reconcilers, the hosted scheduler, events and the default pipeline parts.</summary>
public static class GitOpsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the GitOps engine. Add a source (<c>.AddGitSource()</c>, …) and a target (<c>.AddKubernetesTarget(...)</c>)
    /// on the returned builder. Calling it again adds only the new configuration; services are registered once.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets options and applications in code.</param>
    /// <returns>The builder for plugins.</returns>
    /// <example>
    /// <code>
    /// builder.Services.AddGitOps(o =&gt; o.Applications.Add(new ApplicationDefinition
    ///     {
    ///         Name = "shop",
    ///         Source = new SourceReference { Url = "https://git.example.com/shop/deploy.git", Ref = "main" },
    ///         Path = "apps/shop",
    ///     }))
    ///     .AddGitSource()
    ///     .AddKubernetesTarget();
    /// </code>
    /// </example>
    public static IGitOpsBuilder AddGitOps(this IServiceCollection services, Action<GitOpsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptionsWithValidateOnStart<GitOpsOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GitOpsOptions>, GitOpsOptionsValidator>());
        // One check of the whole GitOps configuration (engine, unknown keys, every package's part): one exception, every problem.
        services.TryAddTransient<IOptionsFactory<GitOpsOptions>, GitOps.Sdk.Configuration.GitOpsOptionsFactory>();
        services.TryAddSingleton(TimeProvider.System);
        // The generic host and ASP.NET Core register IMeterFactory; the engine does not add it (AddMetrics would bring in
        // Configuration and Options.ConfigurationExtensions), so a bare container without one gets the shared meter.
        services.TryAddSingleton(static sp => sp.GetService<IMeterFactory>() is { } meterFactory ? new GitOpsTelemetry(meterFactory) : GitOpsTelemetry.Shared);
        services.TryAddSingleton(sp => new GitOpsEventHub(sp.GetService<ILoggerFactory>()));
        services.TryAddSingleton(sp => new ReconcilerServices(sp, sp.GetRequiredService<IOptions<GitOpsOptions>>(), sp.GetRequiredService<GitOpsEventHub>()));
        // The engine's own application source (code and the GitOps section) comes first; AddApplicationSource adds more.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IApplicationSource, OptionsApplicationSource>());

        // The gitops.application.info gauge reports the applications of the container's controller.
        services.TryAddSingleton(static sp =>
        {
            var reconcilerServices = sp.GetRequiredService<ReconcilerServices>();
            return reconcilerServices.Metrics.ObserveApplications(new GitOpsController(reconcilerServices, sp.GetServices<IApplicationSource>()));
        });
        services.TryAddSingleton<IGitOpsController>(static sp => sp.GetRequiredService<GitOpsController>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GitOpsHostedService>());
        AddDefaultParts(services);
        return new GitOpsBuilder(services);
    }

    /// <summary>
    /// Adds the GitOps engine configured from <paramref name="configuration"/>: either the <c>GitOps</c> section itself
    /// or a configuration root holding one. Applications live under <c>Applications:&lt;name&gt;</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The <c>GitOps</c> section or its parent.</param>
    /// <param name="configure">Further settings in code, applied after the configuration.</param>
    /// <returns>The builder for plugins.</returns>
    /// <example>
    /// <code>
    /// // appsettings.json: { "GitOps": { "Applications": { "shop": { "Source": "https://git.example.com/shop/deploy.git",
    /// //                      "Ref": "main", "Path": "apps/shop", "Namespace": "shop", "Interval": "2m", "Mode": "Correct" } } } }
    /// builder.Services.AddGitOps(builder.Configuration).AddGitSource().AddKubernetesTarget();
    /// </code>
    /// </example>
    public static IGitOpsBuilder AddGitOps(this IServiceCollection services, IConfiguration configuration, Action<GitOpsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        // Renderer packages (AddHelmRenderer, …) register binders for their own application keys; they may be added after
        // this call. Which section holds the settings is decided at each bind: a reloaded file may add the GitOps section.
        services.AddOptions<GitOpsOptions>().Configure<IEnumerable<IRendererOptionsBinder>>((o, binders) =>
        {
            var gitops = configuration.GetSection("GitOps");
            GitOpsConfigurationBinder.Bind(gitops.Exists() ? gitops : configuration, o, binders);
        });

        // Packages bind their parts (GitOps:Target, GitOps:Sources:Git, …) from it; start-up reports keys nothing reads.
        services.AddSingleton(new GitOpsConfiguration(configuration));

        // When the configuration reloads (appsettings.json with reloadOnChange), the applications follow it.
        services.AddSingleton<IOptionsChangeTokenSource<GitOpsOptions>>(new GitOpsConfigurationChangeTokenSource(configuration));
        return services.AddGitOps(configure);
    }

    private static void AddDefaultParts(IServiceCollection services)
    {
        services.TryAddSingleton<IDiffEngine, GitOps.Sdk.Diff.DiffEngine>();
        services.TryAddSingleton<IPlanner, GitOps.Sdk.Planning.Planner>();
        services.AddGitOpsRenderStage();
    }

    private sealed class GitOpsBuilder(IServiceCollection services) : IGitOpsBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}

/// <summary>Extension methods on <see cref="IGitOpsBuilder"/> for parts that live in the engine package.</summary>
public static class GitOpsBuilderExtensions
{
    /// <summary>Adds an application defined in code.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="application">The application.</param>
    /// <returns>The builder.</returns>
    public static IGitOpsBuilder AddApplication(this IGitOpsBuilder builder, ApplicationDefinition application)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(application);
        builder.Services.Configure<GitOpsOptions>(o => o.Applications.Add(application));
        return builder;
    }

    /// <summary>
    /// Adds a source of applications, asked after the ones registered before it: e.g. an
    /// <see cref="InMemoryApplicationSource"/> the host changes while it runs, or one backed by a database or a custom
    /// resource. Its changes start, restart or stop reconcile loops.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="source">The source.</param>
    /// <returns>The builder.</returns>
    public static IGitOpsBuilder AddApplicationSource(this IGitOpsBuilder builder, IApplicationSource source)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(source);
        builder.Services.AddSingleton(source);
        builder.Services.Configure<GitOpsOptions>(static o => o.ApplicationsFromOtherSources = true);
        if (source is InMemoryApplicationSource memory)
        {
            builder.Services.TryAddSingleton(memory);
        }

        return builder;
    }

    /// <summary>Adds a source of applications created by the container (registered once, however often this is called).</summary>
    /// <typeparam name="T">The source type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IGitOpsBuilder AddApplicationSource<T>(this IGitOpsBuilder builder)
        where T : class, IApplicationSource
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<T>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IApplicationSource, T>(static sp => sp.GetRequiredService<T>()));
        builder.Services.Configure<GitOpsOptions>(static o => o.ApplicationsFromOtherSources = true);
        return builder;
    }

    /// <summary>Adds a health assessor, asked before the built-in rules (registered first wins).</summary>
    /// <typeparam name="T">The assessor type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IGitOpsBuilder AddHealthAssessor<T>(this IGitOpsBuilder builder)
        where T : class, IHealthAssessor
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHealthAssessor, T>());
        return builder;
    }

    /// <summary>Adds a health assessor instance, asked before the built-in rules (registered first wins).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="assessor">The assessor.</param>
    /// <returns>The builder.</returns>
    public static IGitOpsBuilder AddHealthAssessor(this IGitOpsBuilder builder, IHealthAssessor assessor)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(assessor);
        builder.Services.AddSingleton(assessor);
        return builder;
    }

    /// <summary>Adds an approval policy; every policy is asked and any hold wins.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="policy">The policy, e.g. <see cref="HoldDestructiveStepsPolicy"/>.</param>
    /// <returns>The builder.</returns>
    public static IGitOpsBuilder AddApprovalPolicy(this IGitOpsBuilder builder, IApprovalPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(policy);
        builder.Services.AddSingleton(policy);
        return builder;
    }

    /// <summary>Adds a source provider (for custom sources); built-in ones come from <c>AddGitSource()</c> and friends.</summary>
    /// <typeparam name="T">The provider type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IGitOpsBuilder AddSourceProvider<T>(this IGitOpsBuilder builder)
        where T : class, ISourceProvider
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ISourceProvider, T>());
        return builder;
    }

    /// <summary>Adds a source provider instance (for custom sources or tests).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="provider">The provider.</param>
    /// <returns>The builder.</returns>
    public static IGitOpsBuilder AddSourceProvider(this IGitOpsBuilder builder, ISourceProvider provider)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(provider);
        builder.Services.AddSingleton(provider);
        return builder;
    }
}
