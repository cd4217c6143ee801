using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GitOps.Sdk.TestUtilities;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>
/// Replays the raw HTTP exchanges recorded from a real kube-apiserver (kube-live/wire/*.http) against the emulator in
/// recording order and compares status codes, <c>Status</c> bodies exactly, and objects up to uid/timestamps;
/// resourceVersions are compared by their relations (unchanged where the server kept it, increasing otherwise).
/// </summary>
public sealed partial class WireReplayTests : IAsyncLifetime
{
    private static readonly string[] Sequence =
    [
        "ssa-apply-create", "ssa-apply-unchanged", "ssa-apply-update", "ssa-apply-dryrun", "ssa-apply-conflict", "ssa-apply-force",
        "ssa-apply-invalid", "get-existing", "get-missing", "create", "create-already-exists", "update", "update-stale-resourceversion",
        "list-labelselector", "get-table-customresource",
    ];

    private readonly Dictionary<string, string> _rvMap = new(StringComparer.Ordinal);
    private KubeApiEmulator _api = null!;
    private HttpClient _http = null!;
    private long _lastRv;

    public async Task InitializeAsync()
    {
        // The setup applies case 27's CRD and case 28's custom resource back to back: the CRD is established at once.
        _api = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions { CrdEstablishDelay = TimeSpan.Zero });
        _http = new HttpClient { BaseAddress = _api.BaseAddress };
        await _api.ApplyAsAsync("gitops-sdk", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: fixtures\n");
        foreach (var c in new[] { "27-crd-structural-defaults", "28-customresource-defaulted" })
        {
            await _api.ApplyAsAsync("gitops-sdk", await File.ReadAllTextAsync(Path.Combine(TestPaths.KubeLive, "cases", c, "desired.yaml")));
        }
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Replay_RecordedExchanges_AnswerLikeTheRealServer()
    {
        var failures = new List<string>();
        foreach (var name in Sequence)
        {
            var exchange = Exchange.Load(Path.Combine(TestPaths.KubeLive, "wire", name + ".http"));
            var (status, body) = await SendAsync(exchange);
            failures.AddRange(Compare(name, exchange, status, body));
        }

        failures.Should().BeEmpty();
    }

    [Fact]
    public async Task Replay_WatchExchange_StreamsAddedModifiedDeletedLikeTheRecording()
    {
        var watch = Exchange.Load(Path.Combine(TestPaths.KubeLive, "wire", "watch.http"));
        var rv = _api.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        var target = RvQuery().Replace(watch.Target, "resourceVersion=" + rv);
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        ((int)response.StatusCode).Should().Be(watch.ResponseStatus);
        response.Headers.TransferEncodingChunked.Should().BeTrue();
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(stream);

        foreach (var step in new[] { "watch-step1-create", "watch-step2-modify", "watch-step3-delete" })
        {
            var exchange = Exchange.Load(Path.Combine(TestPaths.KubeLive, "wire", step + ".http"));
            var (status, body) = await SendAsync(exchange);
            Compare(step, exchange, status, body).Should().BeEmpty();
        }

        var expectedLines = watch.ResponseBody.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var expectedLine in expectedLines)
        {
            var line = await reader.ReadLineAsync();
            line.Should().NotBeNull();
            var expected = JsonNode.Parse(expectedLine)!;
            var actual = JsonNode.Parse(line!)!;
            ((string?)actual["type"]).Should().Be((string?)expected["type"]);
            CorpusJson.Differences(Strip(expected["object"]), Strip(actual["object"])).Should().BeEmpty();
        }
    }

    [GeneratedRegex("resourceVersion=[0-9]+")]
    private static partial Regex RvQuery();

    private async Task<(int Status, string Body)> SendAsync(Exchange exchange)
    {
        using var request = new HttpRequestMessage(new HttpMethod(exchange.Method), exchange.Target);
        if (exchange.RequestBody is not null)
        {
            var body = exchange.RequestBody;
            foreach (var (recorded, actual) in _rvMap)
            {
                body = body.Replace($"\"resourceVersion\":\"{recorded}\"", $"\"resourceVersion\":\"{actual}\"", StringComparison.Ordinal);
            }

            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(exchange.RequestHeaders["Content-Type"]);
        }

        foreach (var (key, value) in exchange.RequestHeaders)
        {
            if (key is "Accept" or "User-Agent")
            {
                request.Headers.TryAddWithoutValidation(key, value);
            }
        }

        using var response = await _http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private List<string> Compare(string name, Exchange exchange, int status, string body)
    {
        var failures = new List<string>();
        if (status != exchange.ResponseStatus)
        {
            failures.Add($"{name}: status {status}, recorded {exchange.ResponseStatus}: {body}");
            return failures;
        }

        var expected = JsonNode.Parse(exchange.ResponseBody);
        var actual = JsonNode.Parse(body);
        if ((string?)expected?["kind"] == "Status")
        {
            // Status bodies must be identical except the uid of a deleted object.
            if (expected?["details"]?["uid"] is not null && actual?["details"]?["uid"] is not null)
            {
                actual["details"]!["uid"] = expected["details"]!["uid"]!.DeepClone();
            }

            failures.AddRange(CorpusJson.Differences(expected, actual).Select(d => $"{name}: {d}"));
            return failures;
        }

        failures.AddRange(CheckResourceVersions(name, expected, actual));
        failures.AddRange(CorpusJson.Differences(Strip(expected), Strip(actual)).Select(d => $"{name}: {d}"));
        return failures;
    }

    /// <summary>Maps each recorded resourceVersion to the emulator's: a recorded repeat must be an actual repeat; new ones must increase.</summary>
    private List<string> CheckResourceVersions(string name, JsonNode? expected, JsonNode? actual)
    {
        var failures = new List<string>();
        var e = (string?)expected?["metadata"]?["resourceVersion"];
        var a = (string?)actual?["metadata"]?["resourceVersion"];
        if (e is null || a is null || (string?)expected?["kind"] is "Table" || ((string?)expected?["kind"])?.EndsWith("List", StringComparison.Ordinal) == true)
        {
            return failures;
        }

        if (_rvMap.TryGetValue(e, out var mapped))
        {
            if (mapped != a)
            {
                failures.Add($"{name}: resourceVersion {a}, expected the same as before ({mapped})");
            }
        }
        else
        {
            var value = long.Parse(a, CultureInfo.InvariantCulture);
            if (value <= _lastRv)
            {
                failures.Add($"{name}: resourceVersion {a} does not increase (last {_lastRv})");
            }

            _rvMap[e] = a;
            _lastRv = value;
        }

        return failures;
    }

    private static JsonNode? Strip(JsonNode? node)
    {
        var copy = node?.DeepClone();
        Visit(copy);
        return copy;

        static void Visit(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var key in new[] { "uid", "creationTimestamp", "resourceVersion", "time" })
                    {
                        if (o[key] is JsonValue)
                        {
                            o.Remove(key);
                        }
                    }

                    if (o["cells"] is JsonArray cells && cells.Count > 0)
                    {
                        cells[^1] = "<age>";
                    }

                    foreach (var (_, v) in o)
                    {
                        Visit(v);
                    }

                    break;
                case JsonArray a:
                    foreach (var v in a)
                    {
                        Visit(v);
                    }

                    break;
            }
        }
    }
}
