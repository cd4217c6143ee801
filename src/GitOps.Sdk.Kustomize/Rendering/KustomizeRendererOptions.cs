namespace GitOps.Sdk.Kustomize.Rendering;

/// <summary>Settings for <see cref="KustomizeRenderer"/> shared by every application.</summary>
public sealed class KustomizeRendererOptions
{
    /// <summary>Gets or sets the path of a standalone <c>kustomize</c>. <value>Default: <see langword="null"/>: <c>kustomize</c> on PATH if present.</value></summary>
    public string? KustomizePath { get; set; }

    /// <summary>Gets or sets the path of <c>kubectl</c>, used (<c>kubectl kustomize</c>) when no standalone kustomize is found. <value>Default: <see langword="null"/>: <c>kubectl</c> on PATH.</value></summary>
    public string? KubectlPath { get; set; }

    /// <summary>
    /// Gets or sets the load restrictor (<c>--load-restrictor</c>). <value>Default: <see langword="null"/>: Kustomize's default
    /// <c>LoadRestrictionsRootOnly</c>, which keeps a kustomization from reading files outside its folder tree.</value>
    /// </summary>
    public string? LoadRestrictor { get; set; }

    /// <summary>Gets or sets a value indicating whether the Helm chart inflation generator is enabled (<c>--enable-helm</c>). <value>Default: <see langword="false"/>.</value></summary>
    public bool EnableHelm { get; set; }

    /// <summary>Gets or sets the helm executable Kustomize runs when <see cref="EnableHelm"/> is set (<c>--helm-command</c>). <value>Default: <see langword="null"/>: <c>helm</c> on PATH.</value></summary>
    public string? HelmCommand { get; set; }

    /// <summary>Gets extra arguments passed to every build, before the application's own <see cref="RenderOptions.ExtraArguments"/>.</summary>
    public IList<string> ExtraArguments { get; } = [];

    /// <summary>Gets or sets the longest a build may run when the application sets a longer <see cref="RenderOptions.Timeout"/>. <value>Default: <see langword="null"/>: no cap.</value></summary>
    public TimeSpan? MaxTimeout { get; set; }

    /// <summary>Gets or sets the most bytes of rendered output accepted from one build. <value>Default: 64 MiB.</value></summary>
    public long MaxOutputBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Gets or sets whether the build runs without network access (a network namespace of its own, see
    /// <see cref="ToolNetworkIsolation"/>). <value>Default: <see cref="ToolNetworkIsolation.Auto"/>: isolated where the
    /// platform allows it, else a warning is logged.</value>
    /// </summary>
    public ToolNetworkIsolation NetworkIsolation { get; set; } = ToolNetworkIsolation.Auto;

    /// <summary>
    /// Gets or sets a value indicating whether kustomizations may name remote resources, bases or components (URLs, git
    /// repositories) and <c>helmCharts</c> with a <c>repo</c>; when <see langword="false"/> they are refused before the
    /// build, naming the file and the entry. <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool AllowRemoteResources { get; set; }
}
