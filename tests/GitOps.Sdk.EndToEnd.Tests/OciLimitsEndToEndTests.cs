using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Oci;
using GitOps.Sdk.Oci.Distribution;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using GitOps.Sdk.TestUtilities;
using GitOps.Sdk.TestUtilities.Oci;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>
/// OCI <see cref="OciOptions.MaxLayerBytes"/> and <see cref="OciOptions.MaxManifestBytes"/> on the real engine: a
/// bundle in the real registry (docker-registry), the OCI source, the Kubernetes target over HTTP, the emulator. A new
/// artifact over a limit fails the run naming what and the limit, and nothing of it is applied or pruned.
/// </summary>
public sealed class OciLimitsEndToEndTests
{
    private const int Limit = 16 * 1024;

    [Theory]
    [InlineData("layer")]
    [InlineData("manifest")]
    public async Task NewArtifactOverTheLimit_RunFailsNamingWhatAndTheLimit_NothingAppliedOrPruned(string oversized)
    {
        await using var registry = await RegistryServer.StartAsync();
        using var cache = new TempDirectory("gitops-e2e-oci");
        using var http = new HttpClient();
        var pushOptions = new OciOptions();
        pushOptions.PlainHttpRegistries.Add(registry.Address);
        var client = new OciDistributionClient(http, pushOptions);
        var repository = new OciRepositoryReference(registry.Address, "bundles/storefront");
        var files = Directory.GetFiles(Path.Combine(TestPaths.RepositoryRoot, "samples", "demo-repo"), "*.yaml")
            .ToDictionary(f => "deploy/" + Path.GetFileName(f), File.ReadAllText);
        var (v1Layer, v1Manifest) = await PushAsync(client, repository, "prod", files, padding: 0);
        v1Layer.Should().BeLessThan(Limit);
        v1Manifest.Should().BeLessThan(Limit);

        await using var env = await EndToEndEnvironment.CreateAsync(
            app: a => a with { Source = new SourceReference { Url = $"oci://{registry.Address}/bundles/storefront", Ref = "prod" } },
            builder: b => b.AddOciSource(o =>
            {
                o.PlainHttpRegistries.Add(registry.Address);
                o.CacheDirectory = cache.Path;
                o.MaxLayerBytes = Limit;
                o.MaxManifestBytes = Limit;
            }));
        await env.StartAsync();
        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Applied, env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);
        env.ConfigValue().Should().Be("Hello from Git");

        // The tag moves to an artifact that changes a value and drops the Service, and is one limit too big.
        files["deploy/configmap.yaml"] = files["deploy/configmap.yaml"].Replace("Hello from Git", "too big to apply", StringComparison.Ordinal);
        files.Remove("deploy/service.yaml");
        var (v2Layer, v2Manifest) = oversized == "layer"
            ? await PushAsync(client, repository, "prod", files, padding: 0, noise: 2 * Limit)
            : await PushAsync(client, repository, "prod", files, padding: 2 * Limit);
        env.Controller.RequestReconcile(EndToEndEnvironment.App).Should().BeTrue();
        await EndToEndEnvironment.WaitUntilAsync(() => env.Completed.Any(c => c.Trigger == ReconcileTrigger.Manual), "the reconcile of the oversized artifact finished");

        var run = env.Completed.Single(c => c.Trigger == ReconcileTrigger.Manual);
        run.Outcome.Should().Be(ReconcileOutcome.Failed);
        var status = env.Controller.GetStatus(EndToEndEnvironment.App)!;
        status.LastErrorStage.Should().Be(ReconcileStage.Source);
        status.LastError.Should().Contain($"application '{EndToEndEnvironment.App}'").And.Contain(repository.ToString());
        if (oversized == "layer")
        {
            v2Layer.Should().BeGreaterThan(Limit);
            status.LastError.Should().Contain($"blob size {v2Layer}").And.Contain($"limit of {Limit} bytes");
        }
        else
        {
            v2Manifest.Should().BeGreaterThan(Limit);
            status.LastError.Should().Contain($"the manifest is {v2Manifest} bytes").And.Contain($"limit of {Limit}");
        }

        env.ConfigValue().Should().Be("Hello from Git", "nothing of an artifact over the limit is applied");
        env.Exists("v1", "Service", "web").Should().BeTrue("nothing is pruned for an artifact over the limit");
        env.EventsOf<Pruned>().Should().BeEmpty();
    }

    /// <summary>Pushes a Flux-style bundle; <paramref name="padding"/> grows the manifest, <paramref name="noise"/> adds incompressible bytes to the layer.</summary>
    private static async Task<(long LayerBytes, int ManifestBytes)> PushAsync(OciDistributionClient client, OciRepositoryReference repository, string tag, Dictionary<string, string> files, int padding, int noise = 0)
    {
        var content = new Dictionary<string, string>(files);
        if (noise > 0)
        {
            content["noise.txt"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(noise));
        }

        var config = await client.PushBlobAsync(repository, "{}"u8.ToArray(), OciMediaTypes.FluxConfig, null, CancellationToken.None);
        var layer = await client.PushBlobAsync(repository, TarGz(content), OciMediaTypes.FluxContent, null, CancellationToken.None);
        var annotations = new Dictionary<string, string> { ["org.opencontainers.image.revision"] = $"{tag}@{Guid.NewGuid():N}" };
        if (padding > 0)
        {
            annotations["org.example.padding"] = new string('p', padding);
        }

        var manifest = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciMediaTypes.ImageManifest,
            ["config"] = Descriptor(config),
            ["layers"] = new[] { Descriptor(layer) },
            ["annotations"] = annotations,
        });
        await client.PushManifestAsync(repository, tag, OciMediaTypes.ImageManifest, manifest, null, CancellationToken.None);
        return (layer.Size, manifest.Length);
    }

    private static Dictionary<string, object> Descriptor(OciDescriptor d) => new()
    {
        ["mediaType"] = d.MediaType,
        ["digest"] = d.Digest,
        ["size"] = d.Size,
    };

    private static byte[] TarGz(IReadOnlyDictionary<string, string> files)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new System.Formats.Tar.TarWriter(gzip, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, text) in files)
            {
                writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
            }
        }

        return output.ToArray();
    }
}
