using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>Watch semantics: resume from a resourceVersion, 410 Expired for compacted history, bookmarks, initial state.</summary>
public sealed class WatchTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 6, 0, 0, TimeSpan.Zero));
    private KubeApiEmulator _api = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions { TimeProvider = _time, BookmarkInterval = TimeSpan.FromSeconds(30), WatchHistorySize = 20 });
        _http = new HttpClient { BaseAddress = _api.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }

    private Task CreateAsync(string name) =>
        _api.CreateAsync($"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: default\n");

    [Fact]
    public async Task Watch_FromOldResourceVersion_ReplaysMissedEvents()
    {
        var rv = _api.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        await CreateAsync("a");
        await CreateAsync("b");
        await _api.DeleteAsync("v1", "ConfigMap", "default", "a");

        using var response = await _http.GetAsync($"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={rv}&timeoutSeconds=1", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var e = JsonNode.Parse((await reader.ReadLineAsync())!)!;
            events.Add((string)e["type"]! + " " + (string)e["object"]!["metadata"]!["name"]!);
        }

        events.Should().Equal("ADDED a", "ADDED b", "DELETED a");
    }

    [Fact]
    public async Task Watch_FromCompactedResourceVersion_IsExpired410()
    {
        var rv = _api.ResourceVersion;
        for (var i = 0; i < 30; i++)
        {
            await CreateAsync("n" + i.ToString(CultureInfo.InvariantCulture));
        }

        using var response = await _http.GetAsync($"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={rv}", HttpCompletionOption.ResponseHeadersRead);
        var line = new StreamReader(await response.Content.ReadAsStreamAsync()).ReadLine();
        var e = JsonNode.Parse(line!)!;
        ((string?)e["type"]).Should().Be("ERROR");
        ((int?)e["object"]!["code"]).Should().Be(410);
        ((string?)e["object"]!["reason"]).Should().Be("Expired");
        ((string?)e["object"]!["message"]).Should().StartWith("too old resource version: " + rv.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Watch_WithoutResourceVersion_StartsWithCurrentStateThenBookmarks()
    {
        await CreateAsync("existing");
        using var response = await _http.GetAsync("/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = JsonNode.Parse((await reader.ReadLineAsync())!)!;
        ((string?)first["type"]).Should().Be("ADDED");

        var readBookmark = reader.ReadLineAsync();
        while (!readBookmark.IsCompleted)
        {
            _time.Advance(TimeSpan.FromSeconds(30));
            await Task.WhenAny(readBookmark, Task.Delay(20));
        }

        var bookmark = JsonNode.Parse((await readBookmark)!)!;
        ((string?)bookmark["type"]).Should().Be("BOOKMARK");
        ((string?)bookmark["object"]!["kind"]).Should().Be("ConfigMap");
        ((string?)bookmark["object"]!["metadata"]!["resourceVersion"]).Should().Be(_api.ResourceVersion.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Watch_WithLabelSelector_DeliversOnlyMatchingObjects()
    {
        var rv = _api.ResourceVersion;
        await _api.CreateAsync("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sel-x, namespace: default, labels: {app: one}}\n");
        await _api.CreateAsync("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: sel-y, namespace: default, labels: {app: two}}\n");
        using var response = await _http.GetAsync($"/api/v1/configmaps?watch=1&resourceVersion={rv}&labelSelector=app%3Dtwo&timeoutSeconds=1", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var e = JsonNode.Parse((await reader.ReadLineAsync())!)!;
        ((string?)e["object"]!["metadata"]!["name"]).Should().Be("sel-y");
    }

    [Fact]
    public async Task AnotherActor_MutateAndApply_RecordTheirManagers()
    {
        await _api.ApplyAsAsync("gitops-sdk", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: drift, namespace: default}\ndata: {mode: fast, size: large}\n");
        var mutated = await _api.MutateAsync("v1", "ConfigMap", "default", "drift", o => o["data"]!["mode"] = "slow", manager: "kubectl-edit");
        ((string?)mutated["data"]!["mode"]).Should().Be("slow");
        var managers = mutated["metadata"]!["managedFields"]!.AsArray().Select(m => ((string?)m!["manager"], (string?)m["operation"])).ToList();
        managers.Should().Equal(("gitops-sdk", "Apply"), ("kubectl-edit", "Update"));
        mutated["metadata"]!["managedFields"]![0]!["fieldsV1"]!.ToJsonString().Should().NotContain("f:mode", "the edit took ownership of data.mode");

        var conflict = await Assert.ThrowsAsync<KubeApiEmulatorException>(() => _api.ApplyAsAsync("gitops-sdk", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: drift, namespace: default}\ndata: {mode: fast}\n", force: false));
        conflict.Code.Should().Be(409);
        conflict.Message.Should().Contain("conflict with \"kubectl-edit\" using v1");
    }
}
