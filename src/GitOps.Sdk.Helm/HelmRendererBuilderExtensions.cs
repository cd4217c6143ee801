using GitOps.Sdk;
using GitOps.Sdk.Helm.Rendering;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Helm renderer.</summary>
public static class HelmRendererBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="HelmRenderer"/> (renderer name <c>helm</c>, chosen automatically for folders holding <c>Chart.yaml</c>)
    /// and the binder that reads each application's <see cref="HelmRenderOptions"/> from configuration. Calling it twice is harmless.
    /// </summary>
    /// <param name="builder">The GitOps builder.</param>
    /// <param name="configure">Changes the renderer's settings.</param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// services.AddGitOps().AddHelmRenderer(o =&gt; o.HelmPath = "/opt/helm/helm");
    /// </code>
    /// </example>
    public static IGitOpsBuilder AddHelmRenderer(this IGitOpsBuilder builder, Action<HelmRendererOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // GitOps:Renderers:Helm of the configuration given to AddGitOps(configuration), before the code below.
        GitOpsConfigurationParts.Add<HelmRendererOptions>(builder, "Renderers:Helm");
        var options = builder.Services.AddOptions<HelmRendererOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRenderer, HelmRenderer>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRendererOptionsBinder, HelmRenderOptionsBinder>());
        return builder;
    }
}
