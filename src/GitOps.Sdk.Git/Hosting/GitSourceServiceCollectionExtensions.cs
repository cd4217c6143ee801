using GitOps.Sdk;
using GitOps.Sdk.Git;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Git source provider.</summary>
public static class GitSourceServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="GitSourceProvider"/> as an <see cref="ISourceProvider"/>. Calling it twice registers one provider
    /// (each <paramref name="configure"/> is applied); options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The GitOps builder.</param>
    /// <param name="configure">Changes the options.</param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// services.AddGitOps().AddGitSource(o =&gt;
    /// {
    ///     o.CacheDirectory = "/var/cache/gitops/git";
    ///     o.Credentials["github"] = new SourceCredentials { BearerToken = token };
    /// });
    /// </code>
    /// </example>
    public static IGitOpsBuilder AddGitSource(this IGitOpsBuilder builder, Action<GitSourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        // GitOps:Sources:Git of the configuration given to AddGitOps(configuration), before the code below.
        GitOpsConfigurationParts.Add<GitSourceOptions>(builder, "Sources:Git");
        var options = services.AddOptions<GitSourceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (!services.Any(d => d.ServiceType == typeof(GitSourceProvider)))
        {
            options.ValidateDataAnnotations().ValidateOnStart();
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GitSourceOptions>, GitSourceOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GitSourceProvider>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISourceProvider, GitSourceProvider>(sp => sp.GetRequiredService<GitSourceProvider>()));
        return builder;
    }
}
