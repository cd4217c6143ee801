using System.Globalization;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>Built for load: 10,000 objects, paginated lists and several concurrent watchers that each see every change.</summary>
public sealed class ScaleTests : IAsyncLifetime
{
    private KubeApiEmulator _api = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions { WatchHistorySize = 20_000 });
        _http = new HttpClient { BaseAddress = _api.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task TenThousandObjects_ThreeWatchersAndPaginatedList_SeeEverything()
    {
        const int Count = 10_000;
        for (var n = 0; n < 10; n++)
        {
            await _api.CreateAsync($"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns-{n}\n");
        }

        var startRv = _api.ResourceVersion;
        var watchers = Enumerable.Range(0, 3).Select(_ => CountEventsAsync(startRv, Count)).ToList();

        for (var i = 0; i < Count; i++)
        {
            await _api.CreateAsync(string.Create(CultureInfo.InvariantCulture,
                $"{{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{{\"name\":\"cm-{i:00000}\",\"namespace\":\"ns-{i % 10}\",\"labels\":{{\"shard\":\"s{i % 4}\"}}}},\"data\":{{\"i\":\"{i}\"}}}}"),
                "loader");
        }

        _api.ObjectCount.Should().BeGreaterThanOrEqualTo(Count);
        (await Task.WhenAll(watchers)).Should().AllSatisfy(n => n.Should().Be(Count));

        var seen = 0;
        string? token = null;
        do
        {
            var url = "/api/v1/configmaps?limit=500&labelSelector=shard%20in%20(s1,s2)" + (token is null ? string.Empty : "&continue=" + Uri.EscapeDataString(token));
            var page = JsonNode.Parse(await _http.GetStringAsync(url))!;
            var items = page["items"]!.AsArray();
            items.Count.Should().BeLessThanOrEqualTo(500);
            seen += items.Count;
            token = (string?)page["metadata"]!["continue"];
        }
        while (token is not null);

        seen.Should().Be(Count / 2);
    }

    private async Task<int> CountEventsAsync(long fromRv, int expected)
    {
        using var response = await _http.GetAsync($"/api/v1/configmaps?watch=1&resourceVersion={fromRv}&timeoutSeconds=120", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var count = 0;
        while (count < expected && await reader.ReadLineAsync() is string line)
        {
            if (line.StartsWith("{\"type\":\"ADDED\"", StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }
}
