using GitOps.Sdk.Oci.Distribution;

namespace GitOps.Sdk.Oci.Tests.Sources;

[Collection(RegistryCollection.Name)]
public sealed class OciSourceProviderTests(RegistryFixture fixture)
{
    private static readonly Dictionary<string, string> BundleV1 = new()
    {
        ["deploy/configmap.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  version: one\n",
        ["deploy/kustomization.yaml"] = "resources:\n- configmap.yaml\n",
    };

    private static readonly Dictionary<string, string> BundleV2 = new()
    {
        ["deploy/configmap.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  version: two\n",
        ["deploy/kustomization.yaml"] = "resources:\n- configmap.yaml\n",
    };

    [Fact]
    public async Task FetchAsync_ChartPushedByHelm_IsHelmChartArtifactAtTheChartFolder()
    {
        await fixture.PushChartAsync(fixture.Anonymous, "helm-a", "1.2.3");
        var (provider, _, _) = RegistryFixture.CreateProvider(fixture.Options(fixture.Anonymous), null);
        var source = new SourceReference { Url = $"oci://{fixture.Anonymous.Address}/helm-a/web", Ref = "1.2.3" };

        var artifact = await provider.FetchAsync(source, CancellationToken.None);

        artifact.ArtifactKind.Should().Be(ArtifactKinds.HelmChart);
        artifact.Path.Should().Be("web");
        File.ReadAllText(Path.Combine(artifact.ContentDirectory, "Chart.yaml")).Should().Contain("name: web").And.Contain("version: 1.2.3");
        File.Exists(Path.Combine(artifact.ContentDirectory, "templates", "deployment.yaml")).Should().BeTrue();
        artifact.Revision.Should().MatchRegex("^1\\.2\\.3@sha256:[a-f0-9]{64}$");
        artifact.Digest.Should().Be(artifact.Metadata["oci.layerDigest"]);
        artifact.Metadata["oci.layerMediaType"].Should().Be(OciMediaTypes.HelmChartContent);
        artifact.Metadata["oci.configMediaType"].Should().Be(OciMediaTypes.HelmConfig);
        artifact.Revision.Should().EndWith(artifact.Metadata["oci.manifestDigest"]);
    }

    [Fact]
    public async Task ResolveAsync_SemverRangeOverChartTags_PicksHighestStableUnlessPrereleaseAsked()
    {
        foreach (var version in new[] { "1.0.0", "1.4.1", "1.10.0", "2.0.0-rc.1", "0.9.0" })
        {
            await fixture.PushChartAsync(fixture.Anonymous, "helm-semver", version);
        }

        var (provider, _, _) = RegistryFixture.CreateProvider(fixture.Options(fixture.Anonymous), null);
        var url = $"oci://{fixture.Anonymous.Address}/helm-semver/web";

        (await provider.ResolveAsync(new SourceReference { Url = url, Ref = "^1.2" }, CancellationToken.None)).Revision.Should().StartWith("1.10.0@sha256:");
        (await provider.ResolveAsync(new SourceReference { Url = url, Ref = "~1.4.0" }, CancellationToken.None)).Revision.Should().StartWith("1.4.1@sha256:");
        (await provider.ResolveAsync(new SourceReference { Url = url, Ref = ">=0.5.0 <1.0.0" }, CancellationToken.None)).Revision.Should().StartWith("0.9.0@sha256:");
        (await provider.ResolveAsync(new SourceReference { Url = url, Ref = "*" }, CancellationToken.None)).Revision.Should().StartWith("1.10.0@sha256:");
        (await provider.ResolveAsync(new SourceReference { Url = url, Ref = "*", IncludePrerelease = true }, CancellationToken.None)).Revision.Should().StartWith("2.0.0-rc.1@sha256:");

        var none = () => provider.ResolveAsync(new SourceReference { Url = url, Ref = "^3.0" }, CancellationToken.None).AsTask();
        (await none.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.RefNotFound);
    }

    [Fact]
    public async Task FetchAsync_FluxBundlePushedByOurClient_ExtractsManifests()
    {
        var (provider, client, _) = RegistryFixture.CreateProvider(fixture.Options(fixture.Anonymous), null);
        var repository = new OciRepositoryReference(fixture.Anonymous.Address, "bundles/flux-a");
        var pushed = await RegistryFixture.PushBundleAsync(client, repository, "v1", BundleV1, null);

        var artifact = await provider.FetchAsync(new SourceReference { Url = repository.ToString(), Ref = "v1", Path = "deploy" }, CancellationToken.None);

        artifact.ArtifactKind.Should().Be(ArtifactKinds.Manifests);
        artifact.Revision.Should().Be($"v1@{pushed.Digest}");
        artifact.Path.Should().Be("deploy");
        File.ReadAllText(Path.Combine(artifact.ContentDirectory, "configmap.yaml")).Should().Contain("version: one");
        artifact.Metadata["org.opencontainers.image.revision"].Should().Be("main@sha1:v1");
    }

    [Fact]
    public async Task FetchAsync_UnchangedDigest_DownloadsNothingButTheManifestHead()
    {
        var (provider, client, http) = RegistryFixture.CreateProvider(fixture.Options(fixture.Anonymous), null);
        var repository = new OciRepositoryReference(fixture.Anonymous.Address, "bundles/flux-unchanged");
        await RegistryFixture.PushBundleAsync(client, repository, "stable", BundleV1, null);
        var source = new SourceReference { Url = repository.ToString(), Ref = "stable" };
        var first = await provider.FetchAsync(source, CancellationToken.None);
        http.Clear();

        var revision = await provider.ResolveAsync(source, CancellationToken.None);
        var second = await provider.FetchAsync(source, CancellationToken.None);

        revision.Revision.Should().Be(first.Revision);
        second.Revision.Should().Be(first.Revision);
        second.RootDirectory.Should().Be(first.RootDirectory);
        http.Requests.Should().OnlyContain(r => r.StartsWith("HEAD /v2/bundles/flux-unchanged/manifests/stable", StringComparison.Ordinal))
            .And.HaveCount(2);
    }

    [Fact]
    public async Task FetchAsync_TagMovedToNewDigest_FetchesTheNewContent()
    {
        var (provider, client, _) = RegistryFixture.CreateProvider(fixture.Options(fixture.Anonymous), null);
        var repository = new OciRepositoryReference(fixture.Anonymous.Address, "bundles/flux-moving");
        var v1 = await RegistryFixture.PushBundleAsync(client, repository, "prod", BundleV1, null);
        var source = new SourceReference { Url = repository.ToString(), Ref = "prod", Path = "deploy" };
        var first = await provider.FetchAsync(source, CancellationToken.None);

        var v2 = await RegistryFixture.PushBundleAsync(client, repository, "prod", BundleV2, null);
        var resolved = await provider.ResolveAsync(source, CancellationToken.None);
        var second = await provider.FetchAsync(source, CancellationToken.None);

        v2.Digest.Should().NotBe(v1.Digest);
        first.Revision.Should().Be($"prod@{v1.Digest}");
        resolved.Revision.Should().Be($"prod@{v2.Digest}");
        resolved.Id.Should().Be(v2.Digest);
        second.Revision.Should().Be($"prod@{v2.Digest}");
        second.Digest.Should().NotBe(first.Digest);
        File.ReadAllText(Path.Combine(second.ContentDirectory, "configmap.yaml")).Should().Contain("version: two");
        File.ReadAllText(Path.Combine(first.ContentDirectory, "configmap.yaml")).Should().Contain("version: one");
    }

    [Fact]
    public async Task FetchAsync_ByDigest_RevisionIsTheDigest()
    {
        var (provider, client, _) = RegistryFixture.CreateProvider(fixture.Options(fixture.Anonymous), null);
        var repository = new OciRepositoryReference(fixture.Anonymous.Address, "bundles/flux-digest");
        var pushed = await RegistryFixture.PushBundleAsync(client, repository, "v1", BundleV1, null, OciMediaTypes.ImageLayerTarGzip);

        var artifact = await provider.FetchAsync(new SourceReference { Url = repository.ToString(), Ref = pushed.Digest }, CancellationToken.None);

        artifact.Revision.Should().Be(pushed.Digest);
        artifact.Metadata["oci.layerMediaType"].Should().Be(OciMediaTypes.ImageLayerTarGzip);
        File.Exists(Path.Combine(artifact.ContentDirectory, "deploy", "configmap.yaml")).Should().BeTrue();
    }

    [Fact]
    public async Task FetchAsync_CorruptedBlobInRegistryStorage_IsRefusedAndNotCached()
    {
        var options = fixture.Options(fixture.Anonymous);
        var (provider, client, _) = RegistryFixture.CreateProvider(options, null);
        var repository = new OciRepositoryReference(fixture.Anonymous.Address, "bundles/flux-corrupt");
        var files = new Dictionary<string, string> { ["cm.yaml"] = "kind: ConfigMap # unique " + Guid.NewGuid() };
        await RegistryFixture.PushBundleAsync(client, repository, "v1", files, null);
        var manifest = await client.GetManifestAsync(repository, "v1", null, CancellationToken.None);
        var blobFile = fixture.Anonymous.BlobDataPath(manifest.Layers[0].Digest);
        var bytes = File.ReadAllBytes(blobFile);
        bytes[^5] ^= 0xFF;
        File.WriteAllBytes(blobFile, bytes);

        var act = () => provider.FetchAsync(new SourceReference { Url = repository.ToString(), Ref = "v1" }, CancellationToken.None).AsTask();

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Integrity);
        error.Message.Should().Contain(manifest.Layers[0].Digest);
        Directory.EnumerateDirectories(options.CacheDirectory).Should().BeEmpty("nothing unverified may land in the cache");
    }

    [Fact]
    public async Task FetchAsync_BundleWithTarSlipEntry_IsRefused()
    {
        var (provider, client, _) = RegistryFixture.CreateProvider(fixture.Options(fixture.Anonymous), null);
        var repository = new OciRepositoryReference(fixture.Anonymous.Address, "bundles/flux-slip");
        await RegistryFixture.PushBundleAsync(client, repository, "v1", new Dictionary<string, string> { ["../../escape.yaml"] = "kind: Pod" }, null);

        var act = () => provider.FetchAsync(new SourceReference { Url = repository.ToString(), Ref = "v1" }, CancellationToken.None).AsTask();

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Integrity);
        error.Message.Should().Contain("../../escape.yaml").And.Contain("v1@sha256:");
    }

    [Fact]
    public async Task ResolveAsync_MissingTag_IsRefNotFound()
    {
        var (provider, client, _) = RegistryFixture.CreateProvider(fixture.Options(fixture.Anonymous), null);
        var repository = new OciRepositoryReference(fixture.Anonymous.Address, "bundles/flux-missing");
        await RegistryFixture.PushBundleAsync(client, repository, "v1", BundleV1, null);

        var act = () => provider.ResolveAsync(new SourceReference { Url = repository.ToString(), Ref = "v9" }, CancellationToken.None).AsTask();

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.RefNotFound);
        error.Message.Should().Contain("v9");
    }

    [Fact]
    public async Task FetchAsync_AuthenticatedRegistry_WorksWithCredentialsAndRefusesWrongOnes()
    {
        await fixture.PushChartAsync(fixture.Authenticated, "private", "0.3.0");
        var source = new SourceReference { Url = $"oci://{fixture.Authenticated.Address}/private/web", Ref = "^0.3", CredentialsName = "registry" };

        var (good, _, _) = RegistryFixture.CreateProvider(fixture.Options(fixture.Authenticated), RegistryFixture.CredentialsFor(fixture.Authenticated));
        var artifact = await good.FetchAsync(source, CancellationToken.None);
        artifact.Revision.Should().StartWith("0.3.0@sha256:");
        artifact.ArtifactKind.Should().Be(ArtifactKinds.HelmChart);

        var (anonymous, _, _) = RegistryFixture.CreateProvider(fixture.Options(fixture.Authenticated), null);
        var noCredentials = () => anonymous.ResolveAsync(source, CancellationToken.None).AsTask();
        (await noCredentials.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.Unauthorized);

        var wrongSecret = "definitely-wrong-" + Guid.NewGuid().ToString("N");
        var (wrong, _, _) = RegistryFixture.CreateProvider(fixture.Options(fixture.Authenticated), new SourceCredentials { Username = RegistryFixture.User, Password = wrongSecret });
        var act = () => wrong.ResolveAsync(source, CancellationToken.None).AsTask();
        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Unauthorized);
        error.Message.Should().NotContain(wrongSecret).And.Contain(RegistryFixture.User);
    }

    [Fact]
    public async Task ResolveAsync_RegistryDown_IsUnreachable()
    {
        await using var registry = await GitOps.Sdk.TestUtilities.Oci.RegistryServer.StartAsync();
        var options = fixture.Options(registry);
        await registry.StopAsync();
        var (provider, _, _) = RegistryFixture.CreateProvider(options, null);

        var act = () => provider.ResolveAsync(new SourceReference { Url = $"oci://{registry.Address}/apps/web", Ref = "1.0.0" }, CancellationToken.None).AsTask();

        var error = (await act.Should().ThrowAsync<SourceException>()).Which;
        error.Kind.Should().Be(SourceErrorKind.Unreachable);
        error.Message.Should().Contain(registry.Address);
    }

    [Fact]
    public void CanHandle_OciUrlsAndType_Only()
    {
        var (provider, _, _) = RegistryFixture.CreateProvider(fixture.Options(fixture.Anonymous), null);

        provider.CanHandle(new SourceReference { Url = "oci://ghcr.io/org/app" }).Should().BeTrue();
        provider.CanHandle(new SourceReference { Url = "ghcr.io/org/app", Type = SourceTypes.Oci }).Should().BeTrue();
        provider.CanHandle(new SourceReference { Url = "https://charts.example.com", Type = SourceTypes.HelmRepository }).Should().BeFalse();
        provider.CanHandle(new SourceReference { Url = "https://git.example.com/x.git" }).Should().BeFalse();
    }
}
