using GitOps.Sdk.Oci.Distribution;

namespace GitOps.Sdk.Oci.Tests.Distribution;

[Collection(RegistryCollection.Name)]
public sealed class OciDistributionClientTests(RegistryFixture fixture)
{
    [Fact]
    public async Task ListTagsAsync_RealRegistry_ReturnsEveryTag()
    {
        // Registry 2.8 ignores n= on tag lists (pagination there came with distribution 3); Link-header paging is
        // covered by TagPaginationTests against a scripted registry.
        var options = fixture.Options(fixture.Anonymous);
        options.TagPageSize = 2;
        var (_, client, _) = RegistryFixture.CreateProvider(options, null);
        var repository = new OciRepositoryReference(fixture.Anonymous.Address, "bundles/paged");
        var tags = Enumerable.Range(1, 7).Select(i => $"1.0.{i}").ToList();
        foreach (var tag in tags)
        {
            await RegistryFixture.PushBundleAsync(client, repository, tag, new Dictionary<string, string> { ["a.yaml"] = "kind: A" }, null);
        }

        var listed = await client.ListTagsAsync(repository, null, CancellationToken.None);

        listed.Should().BeEquivalentTo(tags);
    }

    [Fact]
    public async Task ListTagsAsync_UnknownRepository_IsRefNotFound()
    {
        var (_, client, _) = RegistryFixture.CreateProvider(fixture.Options(fixture.Anonymous), null);

        var act = () => client.ListTagsAsync(new OciRepositoryReference(fixture.Anonymous.Address, "nothing/here"), null, CancellationToken.None);

        (await act.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.RefNotFound);
    }

    [Fact]
    public async Task GetManifestAsync_HelmPushedManifestWithoutMediaType_IsReadAsImageManifest()
    {
        await fixture.PushChartAsync(fixture.Anonymous, "helm-raw", "4.5.6");
        var (_, client, _) = RegistryFixture.CreateProvider(fixture.Options(fixture.Anonymous), null);
        var repository = new OciRepositoryReference(fixture.Anonymous.Address, "helm-raw/web");

        var head = await client.ResolveAsync(repository, "4.5.6", null, CancellationToken.None);
        var manifest = await client.GetManifestAsync(repository, head.Digest, null, CancellationToken.None);

        System.Text.Encoding.UTF8.GetString(manifest.Content.Span).Should().NotContain("\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\"", "helm leaves the top-level mediaType out");
        manifest.MediaType.Should().Be(OciMediaTypes.ImageManifest);
        manifest.Descriptor.Digest.Should().Be(head.Digest);
        manifest.Config!.MediaType.Should().Be(OciMediaTypes.HelmConfig);
        manifest.Layers.Should().ContainSingle(l => l.MediaType == OciMediaTypes.HelmChartContent);
    }

    [Fact]
    public async Task DownloadBlobAsync_VerifiesDigestAndSize()
    {
        var (_, client, _) = RegistryFixture.CreateProvider(fixture.Options(fixture.Anonymous), null);
        var repository = new OciRepositoryReference(fixture.Anonymous.Address, "bundles/blobs");
        var content = "hello registry"u8.ToArray();
        var pushed = await client.PushBlobAsync(repository, content, "application/octet-stream", null, CancellationToken.None);

        using var ok = new MemoryStream();
        await client.DownloadBlobAsync(repository, pushed, ok, null, CancellationToken.None);
        ok.ToArray().Should().Equal(content);

        var lying = pushed with { Size = pushed.Size - 1 };
        var act = () => client.DownloadBlobAsync(repository, lying, new MemoryStream(), null, CancellationToken.None);
        (await act.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.Integrity);
    }

    [Fact]
    public async Task ResolveAsync_RegistryNotListedForPlainHttp_IsNeverContactedOverHttp()
    {
        var options = new OciOptions { RequestTimeout = TimeSpan.FromSeconds(10) };
        var (_, client, http) = RegistryFixture.CreateProvider(options, null);

        var act = () => client.ResolveAsync(new OciRepositoryReference(fixture.Anonymous.Address, "apps/web"), "1.0.0", null, CancellationToken.None);

        (await act.Should().ThrowAsync<SourceException>()).Which.Kind.Should().Be(SourceErrorKind.Unreachable);
        http.Requests.Should().NotBeEmpty();
    }

    [Fact]
    public async Task ResolveAsync_BasicAuthRegistry_LearnsBasicAndSendsItUpFront()
    {
        var options = fixture.Options(fixture.Authenticated);
        var credentials = RegistryFixture.CredentialsFor(fixture.Authenticated);
        var (_, client, http) = RegistryFixture.CreateProvider(options, credentials);
        var repository = new OciRepositoryReference(fixture.Authenticated.Address, "private/basic");
        await RegistryFixture.PushBundleAsync(client, repository, "v1", new Dictionary<string, string> { ["a.yaml"] = "kind: A" }, credentials);
        http.Clear();

        await client.ResolveAsync(repository, "v1", credentials, CancellationToken.None);
        await client.ResolveAsync(repository, "v1", credentials, CancellationToken.None);

        http.Requests.Should().HaveCount(2, "after the first challenge, basic credentials go with every request");
    }

    [Fact]
    public void Parse_OciUrls_SplitsRegistryAndRepository()
    {
        OciRepositoryReference.Parse("oci://ghcr.io/stefanprodan/manifests/podinfo").Should().Be(new OciRepositoryReference("ghcr.io", "stefanprodan/manifests/podinfo"));
        OciRepositoryReference.Parse("oci://127.0.0.1:5000/charts/web/").Should().Be(new OciRepositoryReference("127.0.0.1:5000", "charts/web"));
        var act = () => OciRepositoryReference.Parse("oci://user:pw@ghcr.io/org/app");
        act.Should().Throw<FormatException>().Which.Message.Should().NotContain("pw");
        ((Action)(() => OciRepositoryReference.Parse("oci://ghcr.io"))).Should().Throw<FormatException>();
        ((Action)(() => OciRepositoryReference.Parse("oci://ghcr.io/Org/App:1.0"))).Should().Throw<FormatException>();
    }
}
