using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Helm;

namespace GitOps.Sdk.Helm.Tests.Sources;

/// <summary>Charts made once by the real <c>helm create</c> and <c>helm package</c>; each test builds its own repository from them.</summary>
public sealed class HelmRepositoryFixture : IAsyncLifetime
{
    public static readonly string[] WebVersions = ["1.0.0", "1.2.0", "1.2.5", "1.3.0", "2.0.0", "2.1.0-rc.1"];

    public HelmCli Helm { get; } = new();

    public TempDirectory Work { get; } = new("helm-repo-tests");

    public string PackagesDirectory => Work.Combine("packages");

    public string ChartDirectory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ChartDirectory = await Helm.CreateChartAsync(Work.Combine("src"), "web");
        var other = await Helm.CreateChartAsync(Work.Combine("src"), "other");
        foreach (var version in WebVersions)
        {
            await Helm.PackageAsync(ChartDirectory, version, PackagesDirectory);
        }

        await Helm.PackageAsync(other, "0.1.0", PackagesDirectory);
    }

    public Task DisposeAsync()
    {
        Helm.Dispose();
        Work.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Makes a repository folder holding the given packages and an index made by <c>helm repo index</c>.</summary>
    public async Task<string> CreateRepositoryAsync(string folder, IEnumerable<string> packageFileNames, string? url = null)
    {
        Directory.CreateDirectory(folder);
        foreach (var name in packageFileNames)
        {
            File.Copy(Path.Combine(PackagesDirectory, name), Path.Combine(folder, name), overwrite: true);
        }

        await IndexAsync(folder, url);
        return folder;
    }

    public Task IndexAsync(string folder, string? url = null) =>
        url is null ? Helm.RunAsync("repo", "index", folder) : Helm.RunAsync("repo", "index", folder, "--url", url);

    public static IEnumerable<string> WebPackages(params string[] versions) => versions.Select(v => $"web-{v}.tgz");

    public static IEnumerable<string> AllPackages() => [.. WebPackages(WebVersions), "other-0.1.0.tgz"];
}
