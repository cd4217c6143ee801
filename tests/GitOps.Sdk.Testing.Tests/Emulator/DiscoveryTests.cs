using System.Text.Json.Nodes;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>Discovery equals the documents recorded from kube-apiserver, custom resources included once their CRD exists.</summary>
public sealed class DiscoveryTests : IAsyncLifetime
{
    private KubeApiEmulator _api = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        // These tests use a CRD right after creating it; CrdEstablishTests covers the asynchronous establishment.
        _api = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions { CrdEstablishDelay = TimeSpan.Zero });
        _http = new HttpClient { BaseAddress = _api.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }

    private static string UrlOf(string file)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        if (name == "api")
        {
            return "/api";
        }

        if (name == "api-v1")
        {
            return "/api/v1";
        }

        if (name == "apis")
        {
            return "/apis";
        }

        var gv = name["apis-".Length..];
        var dash = gv.LastIndexOf('-');
        return "/apis/" + gv[..dash] + "/" + gv[(dash + 1)..];
    }

    private async Task<JsonNode?> GetAsync(string url)
    {
        using var response = await _http.GetAsync(url);
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
    }

    [Fact]
    public async Task Discovery_AfterCrdCreated_EqualsEveryRecordedDocument()
    {
        await _api.ApplyAsAsync("gitops-sdk", await File.ReadAllTextAsync(Path.Combine(TestPaths.KubeLive, "cases", "27-crd-structural-defaults", "desired.yaml")));
        var files = Directory.GetFiles(Path.Combine(TestPaths.KubeLive, "wire", "discovery"), "*.json");
        files.Should().HaveCountGreaterThan(10);
        foreach (var file in files)
        {
            var expected = JsonNode.Parse(await File.ReadAllTextAsync(file));
            var actual = await GetAsync(UrlOf(file));
            CorpusJson.Differences(expected, actual).Should().BeEmpty("GET {0} must equal {1}", UrlOf(file), Path.GetFileName(file));
        }
    }

    [Fact]
    public async Task Discovery_BeforeAndAfterCrd_CustomGroupAppearsAndDisappears()
    {
        (await GetAsync("/apis/caching.example.io/v1alpha1")).Should().BeNull();
        var groups = (await GetAsync("/apis"))!["groups"]!.AsArray().Select(g => (string?)g!["name"]).ToList();
        groups.Should().NotContain("caching.example.io").And.Contain(["apps", "coordination.k8s.io"]);

        await _api.ApplyAsAsync("gitops-sdk", await File.ReadAllTextAsync(Path.Combine(TestPaths.KubeLive, "cases", "27-crd-structural-defaults", "desired.yaml")));
        (await GetAsync("/apis/caching.example.io/v1alpha1")).Should().NotBeNull();

        (await _api.DeleteAsync("apiextensions.k8s.io/v1", "CustomResourceDefinition", null, "cacheclusters.caching.example.io")).Should().BeTrue();
        (await GetAsync("/apis/caching.example.io/v1alpha1")).Should().BeNull();
    }

    [Fact]
    public async Task Version_ReportsKubernetes124()
    {
        var version = await GetAsync("/version");
        ((string?)version!["major"]).Should().Be("1");
        ((string?)version["minor"]).Should().Be("24");
        ((string?)version["gitVersion"]).Should().StartWith("v1.24.");
    }

    [Fact]
    public async Task GroupVersionsWithoutRecordings_AreServedForEveryListedGroup()
    {
        var groups = (await GetAsync("/apis"))!["groups"]!.AsArray();
        foreach (var version in groups.SelectMany(g => g!["versions"]!.AsArray()))
        {
            var gv = (string)version!["groupVersion"]!;
            var list = await GetAsync("/apis/" + gv);
            list.Should().NotBeNull("every listed group version is discoverable: " + gv);
            list!["resources"]!.AsArray().Should().NotBeEmpty();
        }
    }
}
