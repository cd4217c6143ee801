using GitOps.Samples.CustomSource;
using GitOps.Sdk;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the sample's source provider and transform on the GitOps builder.</summary>
public static class CustomSourceBuilderExtensions
{
    /// <summary>Adds <see cref="TarballSourceProvider"/>: applications with <c>Type = "tarball"</c> and <c>Ref = "sha256:…"</c>.</summary>
    /// <param name="builder">The builder from <c>AddGitOps()</c>.</param>
    /// <param name="configure">Changes the settings.</param>
    /// <returns>The builder.</returns>
    public static IGitOpsBuilder AddTarballSource(this IGitOpsBuilder builder, Action<TarballSourceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<TarballSourceOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddHttpClient(nameof(TarballSourceProvider));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ISourceProvider, TarballSourceProvider>(sp => new TarballSourceProvider(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(TarballSourceProvider)),
            sp.GetRequiredService<Options.IOptions<TarballSourceOptions>>(),
            sp.GetRequiredService<TimeProvider>())));
        return builder;
    }

    /// <summary>Adds <see cref="CostCenterTransform"/>, labelling every rendered object with its application's cost center.</summary>
    /// <param name="builder">The builder from <c>AddGitOps()</c>.</param>
    /// <param name="configure">Sets the default and per-application cost centers.</param>
    /// <returns>The builder.</returns>
    public static IGitOpsBuilder AddCostCenterLabel(this IGitOpsBuilder builder, Action<CostCenterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.AddOptions<CostCenterOptions>().Configure(configure);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRenderTransform, CostCenterTransform>());
        return builder;
    }
}
