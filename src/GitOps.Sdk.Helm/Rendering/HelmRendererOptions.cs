namespace GitOps.Sdk.Helm.Rendering;

/// <summary>Settings for <see cref="HelmRenderer"/> shared by every application.</summary>
public sealed class HelmRendererOptions
{
    /// <summary>Gets or sets the path of the <c>helm</c> executable (Helm 3 or Helm 4). <value>Default: <see langword="null"/>: <c>helm</c> on PATH.</value></summary>
    public string? HelmPath { get; set; }

    /// <summary>
    /// Gets or sets the folder under which each run gets its own scratch folder for <c>HELM_CACHE_HOME</c>,
    /// <c>HELM_CONFIG_HOME</c>, <c>HELM_DATA_HOME</c> and the inline values file; deleted after the run.
    /// <value>Default: <see langword="null"/>: the system temp folder.</value>
    /// </summary>
    public string? ScratchDirectory { get; set; }

    /// <summary>Gets or sets the Kubernetes version used when an application sets none (<c>--kube-version</c>). <value>Default: <see langword="null"/>: Helm's built-in default.</value></summary>
    public string? DefaultKubeVersion { get; set; }

    /// <summary>Gets the API versions announced for every application in addition to its own (<c>--api-versions</c>).</summary>
    public IList<string> DefaultApiVersions { get; } = [];

    /// <summary>Gets extra arguments passed to every <c>helm template</c> run, before the application's own.</summary>
    public IList<string> ExtraArguments { get; } = [];

    /// <summary>Gets or sets the most bytes of rendered output accepted from one run. <value>Default: 64 MiB.</value></summary>
    public long MaxOutputBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Gets or sets whether <c>helm template</c> runs without network access (a network namespace of its own, see
    /// <see cref="ToolNetworkIsolation"/>). <value>Default: <see cref="ToolNetworkIsolation.Auto"/>: isolated where the
    /// platform allows it, else a warning is logged.</value>
    /// </summary>
    public ToolNetworkIsolation NetworkIsolation { get; set; } = ToolNetworkIsolation.Auto;

    /// <summary>
    /// Gets or sets a value indicating whether a chart's <c>values.schema.json</c> may use <c>$ref</c>s outside the
    /// document (URLs, other files) and custom <c>$schema</c>s; when <see langword="false"/> such a chart is refused before
    /// Helm runs, naming the file and the reference. <value>Default: <see langword="false"/>.</value>
    /// </summary>
    public bool AllowRemoteSchemaReferences { get; set; }
}
