using System.Collections.Immutable;
using System.Text;

namespace GitOps.Sdk.Helm.Rendering;

/// <summary>
/// One application's Helm settings: release name, values, CRDs, hooks, the cluster version to render for. They travel in
/// <see cref="RenderOptions.RendererOptions"/> under <see cref="RendererName"/>; read and set them with
/// <see cref="HelmRenderOptionsExtensions.GetHelmOptions"/> and <see cref="HelmRenderOptionsExtensions.WithHelm(RenderOptions, Func{HelmRenderOptions, HelmRenderOptions})"/>.
/// In configuration they are the application's keys <c>ReleaseName</c>, <c>Values</c>, <c>ValueFiles</c> and, under
/// <c>Helm:</c>, those and <c>IncludeCrds</c>, <c>ApplyHooks</c>, <c>KubeVersion</c>, <c>ApiVersions</c>.
/// </summary>
/// <example>
/// <code>
/// var options = new RenderOptions { ApplicationName = "shop", Namespace = "shop" }
///     .WithHelm(h =&gt; h with { ValueFiles = ["values/prod.yaml"], Values = "replicaCount: 3" });
/// </code>
/// </example>
public sealed record HelmRenderOptions : IRendererOptions
{
    /// <summary>The renderer name these options are stored under.</summary>
    public const string RendererName = "helm";

    /// <summary>Gets the settings used when an application gives none.</summary>
    public static HelmRenderOptions Default { get; } = new();

    /// <summary>Gets the Helm release name. <value>Default: <see langword="null"/>: the application's name.</value></summary>
    public string? ReleaseName { get; init; }

    /// <summary>Gets value files, relative to the chart folder (they must stay inside the artifact), merged in order after the chart's <c>values.yaml</c>.</summary>
    public ImmutableArray<string> ValueFiles { get; init; } = [];

    /// <summary>Gets inline values as YAML or JSON text, merged after <see cref="ValueFiles"/>.</summary>
    public string? Values { get; init; }

    /// <summary>Gets a value indicating whether CRDs are rendered (<c>--include-crds</c>). <value>Default: <see langword="true"/>.</value></summary>
    public bool IncludeCrds { get; init; } = true;

    /// <summary>
    /// Gets a value indicating whether objects annotated <c>helm.sh/hook</c> are applied as regular objects (marked
    /// <see cref="WellKnown.HelmHookAnnotation"/>, recorded and pruned like any object). Without it install and upgrade
    /// hooks run as the engine's sync hooks (PreSync, PostSync; docs/sync-hooks.md) and hooks of other events (test,
    /// delete, rollback) are left out, each one logged by kind and name.
    /// <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool ApplyHooks { get; init; }

    /// <summary>Gets the Kubernetes version to render for (<c>--kube-version</c>). <value>Default: <see langword="null"/>: <see cref="HelmRendererOptions.DefaultKubeVersion"/>.</value></summary>
    public string? KubeVersion { get; init; }

    /// <summary>Gets extra API versions to announce (<c>--api-versions</c>), after <see cref="HelmRendererOptions.DefaultApiVersions"/>.</summary>
    public ImmutableArray<string> ApiVersions { get; init; } = [];

    /// <inheritdoc />
    public string CacheKey
    {
        get
        {
            var key = new StringBuilder("helm");
            void Add(string? value) => key.Append('\u001f').Append(value is null ? "\u0000" : value.Replace("\u001f", "\u001f\u001f", StringComparison.Ordinal));
            Add(ReleaseName);
            Add(string.Join('\u001e', ValueFiles.IsDefault ? [] : ValueFiles));
            Add(Values);
            Add(IncludeCrds ? "crds" : "no-crds");
            Add(ApplyHooks ? "hooks" : "no-hooks");
            Add(KubeVersion);
            Add(string.Join('\u001e', ApiVersions.IsDefault ? [] : ApiVersions));
            return key.ToString();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ReferencedFiles => ValueFiles.IsDefault ? [] : ValueFiles;
}

/// <summary>Reads and sets <see cref="HelmRenderOptions"/> on the core render options.</summary>
public static class HelmRenderOptionsExtensions
{
    /// <summary>Returns the application's Helm settings, or <see cref="HelmRenderOptions.Default"/> when it has none.</summary>
    /// <param name="options">The render options.</param>
    /// <returns>The Helm settings.</returns>
    public static HelmRenderOptions GetHelmOptions(this RenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.GetRendererOptions<HelmRenderOptions>(HelmRenderOptions.RendererName) ?? HelmRenderOptions.Default;
    }

    /// <summary>Returns a copy of <paramref name="options"/> with <paramref name="helm"/> as its Helm settings.</summary>
    /// <param name="options">The render options.</param>
    /// <param name="helm">The Helm settings.</param>
    /// <returns>The changed copy.</returns>
    public static RenderOptions WithHelm(this RenderOptions options, HelmRenderOptions helm)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.WithRendererOptions(HelmRenderOptions.RendererName, helm);
    }

    /// <summary>Returns a copy of <paramref name="options"/> with its Helm settings changed by <paramref name="change"/>.</summary>
    /// <param name="options">The render options.</param>
    /// <param name="change">Derives the new settings from the current ones (or the defaults).</param>
    /// <returns>The changed copy.</returns>
    public static RenderOptions WithHelm(this RenderOptions options, Func<HelmRenderOptions, HelmRenderOptions> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return options.WithHelm(change(options.GetHelmOptions()));
    }

    /// <summary>
    /// Returns a copy of a renderer-options map (such as <c>ApplicationDefinition.RendererOptions</c>) with its Helm settings
    /// changed by <paramref name="change"/>.
    /// </summary>
    /// <param name="map">The map.</param>
    /// <param name="change">Derives the new settings from the current ones (or the defaults).</param>
    /// <returns>The changed copy.</returns>
    /// <example>
    /// <code>
    /// var shop = app with { RendererOptions = app.RendererOptions.WithHelm(h =&gt; h with { ReleaseName = "shop-web" }) };
    /// </code>
    /// </example>
    public static ImmutableDictionary<string, IRendererOptions> WithHelm(this ImmutableDictionary<string, IRendererOptions> map, Func<HelmRenderOptions, HelmRenderOptions> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        map ??= ImmutableDictionary.Create<string, IRendererOptions>(StringComparer.OrdinalIgnoreCase);
        var current = map.TryGetValue(HelmRenderOptions.RendererName, out var found) ? found as HelmRenderOptions : null;
        return map.SetItem(HelmRenderOptions.RendererName, change(current ?? HelmRenderOptions.Default));
    }
}
