using System.Text.Json;
using GitOps.Sdk.Oci.Distribution;

namespace GitOps.Sdk.Oci.Tests.Sources;

/// <summary>
/// <see cref="OciOptions.MaxManifestBytes"/> and <see cref="OciOptions.MaxLayerBytes"/> against the real registry: one
/// byte over the limit is refused before anything is extracted, exactly at the limit is fetched.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class OciSizeLimitTests(RegistryFixture fixture)
{
    private static readonly Dictionary<string, string> Files = new()
    {
        ["deploy/configmap.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  version: one\n",
    };

    [Fact]
    public async Task FetchAsync_ManifestOneByteOverMaxManifestBytes_RefusedNamingManifestAndLimit_AtTheLimitFetched()
    {
        var (_, client, _) = RegistryFixture.CreateProvider(fixture.Options(fixture.Anonymous), null);
        var repository = new OciRepositoryReference(fixture.Anonymous.Address, "limits/manifest");
        var (manifest, manifestBytes, _) = await PushAsync(client, repository, "v1");
        manifestBytes.Should().BeGreaterThan(2048, "a manifest above the option's minimum of 1024");
        var source = new SourceReference { Url = repository.ToString(), Ref = "v1", Path = "deploy" };

        var over = fixture.Options(fixture.Anonymous);
        over.MaxManifestBytes = manifestBytes - 1;
        var (refusing, _, http) = RegistryFixture.CreateProvider(over, null);
        var act = () => refusing.FetchAsync(source, CancellationToken.None).AsTask();

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Integrity);
        error.Message.Should().Contain($"{repository}@{manifest.Digest}").And.Contain("manifest")
            .And.Contain($"{manifestBytes} bytes").And.Contain($"limit of {manifestBytes - 1}");
        http.Requests.Should().NotContain(r => r.Contains("/blobs/", StringComparison.Ordinal), "no layer of a refused manifest is downloaded");
        CachedArtifacts(over).Should().BeEmpty();

        var atLimit = fixture.Options(fixture.Anonymous);
        atLimit.MaxManifestBytes = manifestBytes;
        var (accepting, _, _) = RegistryFixture.CreateProvider(atLimit, null);
        var artifact = await accepting.FetchAsync(source, CancellationToken.None);
        artifact.Revision.Should().Be($"v1@{manifest.Digest}");
        File.ReadAllText(Path.Combine(artifact.ContentDirectory, "configmap.yaml")).Should().Contain("version: one");
    }

    [Fact]
    public async Task FetchAsync_LayerOneByteOverMaxLayerBytes_RefusedBeforeDownloadNamingLayerAndLimit_AtTheLimitFetched()
    {
        var (_, client, _) = RegistryFixture.CreateProvider(fixture.Options(fixture.Anonymous), null);
        var repository = new OciRepositoryReference(fixture.Anonymous.Address, "limits/layer");
        var (manifest, _, layer) = await PushAsync(client, repository, "v1");
        var source = new SourceReference { Url = repository.ToString(), Ref = "v1", Path = "deploy" };

        var over = fixture.Options(fixture.Anonymous);
        over.MaxLayerBytes = layer.Size - 1;
        var (refusing, _, http) = RegistryFixture.CreateProvider(over, null);
        var act = () => refusing.FetchAsync(source, CancellationToken.None).AsTask();

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Integrity);
        error.Message.Should().Contain($"{repository}@{layer.Digest}").And.Contain($"size {layer.Size}").And.Contain($"limit of {layer.Size - 1} bytes");
        http.Requests.Should().NotContain($"GET /v2/{repository.Repository}/blobs/{layer.Digest}", "a layer over the limit is not downloaded");
        CachedArtifacts(over).Should().BeEmpty();

        var atLimit = fixture.Options(fixture.Anonymous);
        atLimit.MaxLayerBytes = layer.Size;
        var (accepting, _, acceptingHttp) = RegistryFixture.CreateProvider(atLimit, null);
        var artifact = await accepting.FetchAsync(source, CancellationToken.None);
        artifact.Revision.Should().Be($"v1@{manifest.Digest}");
        artifact.Digest.Should().Be(layer.Digest);
        acceptingHttp.Requests.Should().Contain($"GET /v2/{repository.Repository}/blobs/{layer.Digest}");
        File.ReadAllText(Path.Combine(artifact.ContentDirectory, "configmap.yaml")).Should().Contain("version: one");
    }

    /// <summary>Pushes a Flux-style bundle whose manifest carries a padding annotation, so it is a few KiB.</summary>
    private static async Task<(OciDescriptor Manifest, int ManifestBytes, OciDescriptor Layer)> PushAsync(OciDistributionClient client, OciRepositoryReference repository, string tag)
    {
        var config = await client.PushBlobAsync(repository, "{}"u8.ToArray(), OciMediaTypes.FluxConfig, null, CancellationToken.None);
        var layer = await client.PushBlobAsync(repository, RegistryFixture.TarGz(Files), OciMediaTypes.FluxContent, null, CancellationToken.None);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = OciMediaTypes.ImageManifest,
            ["config"] = Descriptor(config),
            ["layers"] = new[] { Descriptor(layer) },
            ["annotations"] = new Dictionary<string, string> { ["org.example.padding"] = new string('p', 3000) },
        });
        var manifest = await client.PushManifestAsync(repository, tag, OciMediaTypes.ImageManifest, bytes, null, CancellationToken.None);
        return (manifest, bytes.Length, layer);
    }

    private static Dictionary<string, object> Descriptor(OciDescriptor d) => new()
    {
        ["mediaType"] = d.MediaType,
        ["digest"] = d.Digest,
        ["size"] = d.Size,
    };

    private static IEnumerable<string> CachedArtifacts(OciOptions options) =>
        Directory.Exists(options.CacheDirectory) ? Directory.EnumerateFileSystemEntries(options.CacheDirectory) : [];
}
