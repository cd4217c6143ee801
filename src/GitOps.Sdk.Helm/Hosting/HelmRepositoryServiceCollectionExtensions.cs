using GitOps.Sdk;
using GitOps.Sdk.Helm.Sources;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Helm chart repository source.</summary>
public static class HelmRepositoryServiceCollectionExtensions
{
    /// <summary>Adds <see cref="HelmRepositorySourceProvider"/> (sources of type <c>helm</c>). Calling it twice is harmless.</summary>
    /// <param name="builder">The GitOps builder.</param>
    /// <param name="configure">Configures <see cref="HelmRepositoryOptions"/>.</param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// services.AddGitOps(...).AddHelmRepositorySource(o => o.CacheDirectory = "/var/cache/gitops/helm");
    /// </code>
    /// </example>
    public static IGitOpsBuilder AddHelmRepositorySource(this IGitOpsBuilder builder, Action<HelmRepositoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        // GitOps:Sources:Helm of the configuration given to AddGitOps(configuration), before the code below.
        GitOpsConfigurationParts.Add<HelmRepositoryOptions>(builder, "Sources:Helm");
        var options = services.AddOptions<HelmRepositoryOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HelmRepositoryHttp>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISourceProvider, HelmRepositorySourceProvider>(sp => new HelmRepositorySourceProvider(
            sp.GetRequiredService<HelmRepositoryHttp>().Client,
            sp.GetRequiredService<IOptions<HelmRepositoryOptions>>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ICredentialProvider>(),
            sp.GetService<ILogger<HelmRepositorySourceProvider>>())));
        return builder;
    }

    /// <summary>Owns the HTTP connection pool of the Helm repository source so the container disposes it.</summary>
    internal sealed class HelmRepositoryHttp : IDisposable
    {
        public HttpClient Client { get; } = new(new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.GZip | System.Net.DecompressionMethods.Deflate,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        public void Dispose() => Client.Dispose();
    }
}
