using GitOps.Sdk;
using GitOps.Sdk.Kustomize.Rendering;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Kustomize renderer.</summary>
public static class KustomizeRendererBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="KustomizeRenderer"/> (renderer name <c>kustomize</c>, chosen automatically for folders holding a
    /// kustomization). Calling it twice is harmless.
    /// </summary>
    /// <param name="builder">The GitOps builder.</param>
    /// <param name="configure">Changes the renderer's settings.</param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// services.AddGitOps().AddKustomizeRenderer(o =&gt; o.LoadRestrictor = "LoadRestrictionsNone");
    /// </code>
    /// </example>
    public static IGitOpsBuilder AddKustomizeRenderer(this IGitOpsBuilder builder, Action<KustomizeRendererOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // GitOps:Renderers:Kustomize of the configuration given to AddGitOps(configuration), before the code below.
        GitOpsConfigurationParts.Add<KustomizeRendererOptions>(builder, "Renderers:Kustomize");
        var options = builder.Services.AddOptions<KustomizeRendererOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IRenderer, KustomizeRenderer>());
        return builder;
    }
}
