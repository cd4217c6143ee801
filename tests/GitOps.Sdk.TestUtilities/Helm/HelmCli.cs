namespace GitOps.Sdk.TestUtilities.Helm;

/// <summary>
/// Runs the real <c>helm</c> binary with scratch <c>HELM_CACHE_HOME</c>/<c>HELM_CONFIG_HOME</c>/<c>HELM_DATA_HOME</c>, so tests
/// never read or write the machine's Helm configuration. Makes charts with <c>helm create</c> and <c>helm package</c>.
/// </summary>
public sealed class HelmCli : IDisposable
{
    private readonly TempDirectory _home = new("helm-home");
    private readonly Dictionary<string, string> _environment;

    /// <summary>Initializes a new instance; fails the test when helm is not installed.</summary>
    public HelmCli()
    {
        Binary = TestPaths.RequireTool("helm");
        _environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HELM_CACHE_HOME"] = _home.Combine("cache"),
            ["HELM_CONFIG_HOME"] = _home.Combine("config"),
            ["HELM_DATA_HOME"] = _home.Combine("data"),
        };
    }

    /// <summary>Gets the helm binary's path.</summary>
    public string Binary { get; }

    /// <summary>Runs helm and returns standard output; throws when it fails.</summary>
    /// <param name="arguments">The arguments.</param>
    /// <returns>Standard output.</returns>
    public Task<string> RunAsync(params string[] arguments) => ProcessRunner.RunCheckedAsync(Binary, arguments, _home.Path, _environment);

    /// <summary>Runs helm and returns the whole result, for tests that expect a failure.</summary>
    /// <param name="arguments">The arguments.</param>
    /// <returns>Exit code and output.</returns>
    public Task<ProcessResult> TryRunAsync(params string[] arguments) => ProcessRunner.RunAsync(Binary, arguments, _home.Path, _environment);

    /// <summary>Creates a chart with <c>helm create</c> under <paramref name="parentDirectory"/>.</summary>
    /// <param name="parentDirectory">Where the chart folder goes.</param>
    /// <param name="name">The chart name.</param>
    /// <returns>The chart folder.</returns>
    public async Task<string> CreateChartAsync(string parentDirectory, string name)
    {
        Directory.CreateDirectory(parentDirectory);
        var chart = Path.Combine(parentDirectory, name);
        await RunAsync("create", chart);
        return chart;
    }

    /// <summary>Packages a chart folder with <c>helm package --version</c>.</summary>
    /// <param name="chartDirectory">The chart folder.</param>
    /// <param name="version">The chart version to stamp.</param>
    /// <param name="destination">The output folder.</param>
    /// <returns>The path of the <c>.tgz</c>.</returns>
    public async Task<string> PackageAsync(string chartDirectory, string version, string destination)
    {
        Directory.CreateDirectory(destination);
        await RunAsync("package", chartDirectory, "--version", version, "--destination", destination);
        return Path.Combine(destination, $"{Path.GetFileName(chartDirectory)}-{version}.tgz");
    }

    /// <summary>Pushes a packaged chart to an OCI registry over plain HTTP (<c>helm push … --plain-http</c>).</summary>
    /// <param name="package">The <c>.tgz</c>.</param>
    /// <param name="ociUrl">The target, e.g. <c>oci://127.0.0.1:5000/charts</c>.</param>
    /// <param name="username">The registry user, or <see langword="null"/>.</param>
    /// <param name="password">The password.</param>
    /// <returns>Helm's output.</returns>
    public Task<string> PushAsync(string package, string ociUrl, string? username = null, string? password = null) =>
        username is null
            ? RunAsync("push", package, ociUrl, "--plain-http")
            : RunAsync("push", package, ociUrl, "--plain-http", "--username", username, "--password", password ?? string.Empty);

    /// <inheritdoc />
    public void Dispose() => _home.Dispose();
}
