using GitOps.Sdk;
using GitOps.Sdk.Rendering;
using GitOps.Sdk.Manifests;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the render stage.</summary>
public static class RenderStageServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="RenderStage"/> as <see cref="IRenderStage"/>, the manifest reader renderers use (<see cref="IManifestReader"/>), the plain-directory renderer and the built-in
    /// transforms (default namespace, common labels and annotations, variable substitution, ownership marks). Calling it
    /// twice is harmless; a host's own <see cref="IRenderTransform"/>s and <see cref="IRenderer"/>s are added with
    /// <c>TryAddEnumerable</c> beside them.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddGitOpsRenderStage(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<RenderStageOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RenderStage>();
        services.TryAddSingleton<IRenderStage>(sp => sp.GetRequiredService<RenderStage>());
        services.TryAddSingleton<IManifestReader>(static _ => new ManifestReader());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRenderer, PlainDirectoryRenderer>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRenderTransform, DefaultNamespaceTransform>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRenderTransform, CreateNamespaceTransform>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRenderTransform, CommonMetadataTransform>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRenderTransform, VariableSubstitutionTransform>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRenderTransform, OwnershipTransform>());
        return services;
    }
}
