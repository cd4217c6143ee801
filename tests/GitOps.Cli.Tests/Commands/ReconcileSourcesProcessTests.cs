using System.Text;
using System.Text.Json;
using GitOps.Sdk;
using GitOps.Sdk.Oci;
using GitOps.Sdk.Oci.Distribution;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Git;
using GitOps.Sdk.TestUtilities.Helm;
using GitOps.Sdk.TestUtilities.Oci;

namespace GitOps.Cli.Tests.Commands;

/// <summary>
/// <c>gitops reconcile</c> as a real process from the other source kinds: a Helm chart repository (<c>--chart</c>, an
/// index and package made by the helm CLI, served over HTTP) and an OCI registry (<c>oci://</c>, Debian's
/// docker-registry over HTTPS with a private authority, the chart pushed by <c>helm push</c>).
/// </summary>
public sealed class ReconcileSourcesProcessTests
{
    [Fact]
    public async Task Reconcile_ChartFromAHelmRepository_RenderedWithHelmAndApplied()
    {
        using var temp = new TempDirectory("gitops-cli-chart");
        using var helm = new HelmCli();
        var chart = await helm.CreateChartAsync(temp.Combine("src"), "web");
        var repository = temp.Combine("repository");
        await helm.PackageAsync(chart, "1.0.0", repository);
        await helm.PackageAsync(chart, "1.1.0", repository);
        await helm.RunAsync("repo", "index", repository);
        using var server = new ChartRepositoryServer(repository);
        await using var api = await KubeApiEmulator.StartAsync();

        await using var cli = CliProcess.Start(
            ["reconcile", "--source", server.Url, "--chart", "web", "--ref", "~1.0", "--name", "web", "--namespace", "default", "--once", "--kubeconfig", api.KubeconfigPath]);
        var (code, _) = await cli.WaitForExitAsync(TimeSpan.FromMinutes(2));

        code.Should().Be(0, cli.Output);
        cli.Output.Should().Contain("chart web at 1.0.0 (sha256:", "the semver range picks 1.0.x, and the revision names the chart's digest");
        var deployment = api.Get("apps/v1", "Deployment", "default", "web");
        deployment.Should().NotBeNull(cli.Output);
        ((string?)deployment!["metadata"]!["labels"]!["helm.sh/chart"]).Should().Be("web-1.0.0");
        api.Get("v1", "Service", "default", "web").Should().NotBeNull();
        server.Requests.Select(r => r.Path).Should().Contain("/index.yaml").And.Contain("/web-1.0.0.tgz").And.NotContain("/web-1.1.0.tgz");
    }

    [Fact]
    public async Task Reconcile_OciChart_FromARegistryWithAPrivateAuthority_Applied()
    {
        using var temp = new TempDirectory("gitops-cli-oci");
        using var certificates = TestCertificates.Create();
        var authority = temp.WriteFile("ca.pem", certificates.AuthorityPem);
        await using var registry = await RegistryServer.StartWithTlsAsync(certificates);
        using var helm = new HelmCli();
        var chart = await helm.CreateChartAsync(temp.Combine("src"), "web");
        var package = await helm.PackageAsync(chart, "2.3.4", temp.Combine("packages"));
        await PushChartAsync(registry, "charts/web", "2.3.4", package, certificates.AuthorityPem);
        await using var api = await KubeApiEmulator.StartAsync();

        // The private authority is trusted the way a user trusts one: through the environment, not through a flag.
        await using var cli = CliProcess.Start(
            ["reconcile", "--source", $"oci://{registry.Address}/charts/web", "--ref", "2.3.4", "--name", "web", "--namespace", "default", "--once", "--kubeconfig", api.KubeconfigPath],
            new Dictionary<string, string?> { ["SSL_CERT_FILE"] = authority });
        var (code, _) = await cli.WaitForExitAsync(TimeSpan.FromMinutes(2));

        code.Should().Be(0, cli.Output);
        cli.Output.Should().Contain("2.3.4@sha256:", cli.Output);
        var deployment = api.Get("apps/v1", "Deployment", "default", "web");
        deployment.Should().NotBeNull(cli.Output);
        ((string?)deployment!["metadata"]!["labels"]!["helm.sh/chart"]).Should().Be("web-2.3.4");
    }

    /// <summary>
    /// Pushes a package made by <c>helm package</c> as a Helm chart artifact (the layout <c>helm push</c> writes). helm
    /// itself speaks plain HTTP to 127.0.0.1, so it cannot push to this HTTPS registry.
    /// </summary>
    private static async Task PushChartAsync(RegistryServer registry, string repositoryPath, string version, string package, string authorityPem)
    {
        var credentials = new SourceCredentials { CaCertificatePem = authorityPem };
        using var http = new HttpClient();
        var client = new OciDistributionClient(http, new OciOptions());
        var repository = new OciRepositoryReference(registry.Address, repositoryPath);
        var config = Encoding.UTF8.GetBytes($"{{\"apiVersion\":\"v2\",\"name\":\"web\",\"version\":\"{version}\"}}");
        var configDescriptor = await client.PushBlobAsync(repository, config, OciMediaTypes.HelmConfig, credentials, CancellationToken.None);
        var layerDescriptor = await client.PushBlobAsync(repository, await File.ReadAllBytesAsync(package), OciMediaTypes.HelmChartContent, credentials, CancellationToken.None);
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciMediaTypes.ImageManifest,
            ["config"] = Descriptor(configDescriptor),
            ["layers"] = new[] { Descriptor(layerDescriptor) },
        });
        await client.PushManifestAsync(repository, version, OciMediaTypes.ImageManifest, manifest, credentials, CancellationToken.None);

        static Dictionary<string, object> Descriptor(OciDescriptor d) => new() { ["mediaType"] = d.MediaType, ["digest"] = d.Digest, ["size"] = d.Size };
    }
}
