using GitOps.Sdk;
using GitOps.Sdk.Oci;
using GitOps.Sdk.Oci.Distribution;
using GitOps.Sdk.Oci.Sources;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the OCI source.</summary>
public static class OciServiceCollectionExtensions
{
    /// <summary>Adds the OCI distribution client and <see cref="OciSourceProvider"/> (for <c>oci://</c> sources). Calling it twice is harmless.</summary>
    /// <param name="builder">The GitOps builder.</param>
    /// <param name="configure">Configures <see cref="OciOptions"/>.</param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// services.AddGitOps(...).AddOciSource(o => o.PlainHttpRegistries.Add("registry.local:5000"));
    /// </code>
    /// </example>
    public static IGitOpsBuilder AddOciSource(this IGitOpsBuilder builder, Action<OciOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        // GitOps:Sources:Oci of the configuration given to AddGitOps(configuration), before the code below.
        GitOpsConfigurationParts.Add<OciOptions>(builder, "Sources:Oci");
        var options = services.AddOptions<OciOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<OciHttp>();
        services.TryAddSingleton(sp => new OciDistributionClient(
            sp.GetRequiredService<OciHttp>().Client,
            sp.GetRequiredService<IOptions<OciOptions>>().Value,
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<OciDistributionClient>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISourceProvider, OciSourceProvider>());
        return builder;
    }

    /// <summary>Owns the HTTP connection pool of the OCI client so the container disposes it.</summary>
    internal sealed class OciHttp : IDisposable
    {
        public HttpClient Client { get; } = new(new SocketsHttpHandler
        {
            AllowAutoRedirect = true,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };

        public void Dispose() => Client.Dispose();
    }
}
