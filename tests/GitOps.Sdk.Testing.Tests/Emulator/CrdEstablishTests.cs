using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using GitOps.Sdk.TestUtilities;
using Microsoft.Extensions.Time.Testing;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>
/// A new CRD is served asynchronously, as recorded in kube-live/wire/crd-establish: stored with <c>conditions: null</c>,
/// then <c>NamesAccepted</c> and <c>Established</c> after <see cref="KubeApiEmulatorOptions.CrdEstablishDelay"/> on the
/// emulator's clock; until then its discovery and resource endpoints answer the plain-text 404.
/// </summary>
public sealed class CrdEstablishTests : IAsyncLifetime
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(150);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 6, 45, 36, TimeSpan.Zero));
    private KubeApiEmulator _api = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions { TimeProvider = _time, CrdEstablishDelay = Delay });
        _http = new HttpClient { BaseAddress = _api.BaseAddress };
        await _api.ApplyAsAsync("gitops-sdk", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: fixtures\n");
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Replay_CrdEstablishSequence_AnswersLikeTheRecording()
    {
        var failures = new List<string>();

        var created = await ReplayAsync("01-crd-apply-create", failures);
        created!["status"]!["conditions"].Should().BeNull("a new CRD is stored before the naming controller ran");
        created["status"]!.AsObject().ContainsKey("conditions").Should().BeTrue("the Go type serializes conditions: null");

        await ReplayAsync("02-discovery-group-version-right-after", failures);
        var apis = await GetJsonAsync("/apis");
        Groups(apis).Should().NotContain("rec.example.org");

        // The recorded custom resource apply (03) came after the server had established the CRD: its resourceVersion
        // (1309) is newer than the established CRD's (1308). Before that the resource endpoint is not served either
        // (timing.json: the list endpoint turned 200 together with Established).
        var early = await SendAsync(Exchange.Load(Recording("03-cr-apply-right-after")));
        early.Status.Should().Be(404);
        early.Body.Should().Be("404 page not found\n");

        _time.Advance(Delay);

        await ReplayAsync("03-cr-apply-right-after", failures);
        var established = await ReplayAsync("04-crd-get-established", failures);
        ConditionTypes(established!).Should().Equal("NamesAccepted", "Established");
        await ReplayAsync("05-discovery-group-version-served", failures);
        var after = await SendAsync(Exchange.Load(Recording("06-discovery-apis-after")));
        after.Status.Should().Be(200);
        var recordedGroups = JsonNode.Parse(Exchange.Load(Recording("06-discovery-apis-after")).ResponseBody)!;
        var recordedGroup = recordedGroups["groups"]!.AsArray().Single(g => (string?)g!["name"] == "rec.example.org");
        var actualGroups = JsonNode.Parse(after.Body)!;
        CorpusJson.Differences(recordedGroup, actualGroups["groups"]!.AsArray().Single(g => (string?)g!["name"] == "rec.example.org"))
            .Should().BeEmpty();
        Groups(actualGroups)[^1].Should().Be("rec.example.org", "the real server lists CRD groups after the built-in ones");
        Groups(actualGroups).Should().BeSubsetOf(Groups(recordedGroups));
        await ReplayAsync("07-cr-apply-after-established", failures);

        failures.Should().BeEmpty();
    }

    [Fact]
    public async Task CrdEstablishDelay_BeforeItPasses_NothingIsServedAndConditionsStayNull()
    {
        await SendAsync(Exchange.Load(Recording("01-crd-apply-create")));
        _time.Advance(Delay - TimeSpan.FromMilliseconds(1));

        var crd = await GetJsonAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/promotions.rec.example.org");
        crd["status"]!["conditions"].Should().BeNull();
        ((string?)crd["status"]!["acceptedNames"]!["plural"]).Should().BeEmpty();
        (await _http.GetAsync(new Uri("/apis/rec.example.org/v1/namespaces/fixtures/promotions", UriKind.Relative))).StatusCode
            .Should().Be(System.Net.HttpStatusCode.NotFound);
        (await _http.GetAsync(new Uri("/apis/rec.example.org", UriKind.Relative))).StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
        var act = () => _api.ApplyAsAsync("gitops-sdk", "apiVersion: rec.example.org/v1\nkind: Promotion\nmetadata: {name: a, namespace: fixtures}\n");
        await act.Should().ThrowAsync<ArgumentException>();

        _time.Advance(TimeSpan.FromMilliseconds(1));
        (await _http.GetAsync(new Uri("/apis/rec.example.org/v1/namespaces/fixtures/promotions", UriKind.Relative))).StatusCode
            .Should().Be(System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task CrdEstablishDelay_Passes_WatchSeesNamesAcceptedThenEstablished()
    {
        var rv = _api.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions?watch=1&resourceVersion=" + rv);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(stream);

        await SendAsync(Exchange.Load(Recording("01-crd-apply-create")));
        _time.Advance(Delay);

        var events = new List<JsonNode>();
        for (var i = 0; i < 3; i++)
        {
            events.Add(JsonNode.Parse((await reader.ReadLineAsync())!)!);
        }

        events.Select(e => (string?)e["type"]).Should().Equal("ADDED", "MODIFIED", "MODIFIED");
        events[0]["object"]!["status"]!["conditions"].Should().BeNull();
        var accepted = events[1]["object"]!["status"]!["conditions"]!.AsArray();
        accepted.Select(c => $"{c!["type"]}={c["status"]}/{c["reason"]}").Should().Equal("NamesAccepted=True/NoConflicts", "Established=False/Installing");
        var established = events[2]["object"]!["status"]!["conditions"]!.AsArray();
        established.Select(c => $"{c!["type"]}={c["status"]}/{c["reason"]}").Should().Equal("NamesAccepted=True/NoConflicts", "Established=True/InitialNamesAccepted");
    }

    [Fact]
    public async Task CrdEstablishDelay_Zero_ServesTheCustomResourceRightAfterTheCrdApply()
    {
        await using var api = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions { TimeProvider = _time, CrdEstablishDelay = TimeSpan.Zero });
        await api.ApplyAsAsync("gitops-sdk", Exchange.Load(Recording("01-crd-apply-create")).RequestBody!);
        var cr = await api.ApplyAsAsync("gitops-sdk", "apiVersion: rec.example.org/v1\nkind: Promotion\nmetadata: {name: a, namespace: default}\nspec: {discountPercent: 1}\n");
        ((bool?)cr["spec"]!["active"]).Should().BeTrue();
    }

    private static string Recording(string name) => Path.Combine(TestPaths.KubeLive, "wire", "crd-establish", name + ".http");

    private static List<string> Groups(JsonNode list) => [.. list["groups"]!.AsArray().Select(g => (string)g!["name"]!)];

    private static List<string> ConditionTypes(JsonNode crd) => [.. crd["status"]!["conditions"]!.AsArray().Select(c => (string)c!["type"]!)];

    private async Task<JsonNode> GetJsonAsync(string path) => JsonNode.Parse(await _http.GetStringAsync(new Uri(path, UriKind.Relative)))!;

    /// <summary>Sends a recorded request and compares status, content type and body (objects up to uid, timestamps and resourceVersion).</summary>
    private async Task<JsonNode?> ReplayAsync(string name, List<string> failures)
    {
        var exchange = Exchange.Load(Recording(name));
        var (status, contentType, body) = await SendAsync(exchange);
        if (status != exchange.ResponseStatus)
        {
            failures.Add($"{name}: status {status}, recorded {exchange.ResponseStatus}: {body}");
            return null;
        }

        if (contentType != exchange.ResponseHeaders["Content-Type"])
        {
            failures.Add($"{name}: Content-Type {contentType}, recorded {exchange.ResponseHeaders["Content-Type"]}");
        }

        if (!exchange.ResponseHeaders["Content-Type"].StartsWith("application/json", StringComparison.Ordinal))
        {
            if (body != exchange.ResponseBody)
            {
                failures.Add($"{name}: body '{body}', recorded '{exchange.ResponseBody}'");
            }

            return null;
        }

        var actual = JsonNode.Parse(body);
        failures.AddRange(CorpusJson.Differences(Strip(JsonNode.Parse(exchange.ResponseBody)), Strip(actual)).Select(d => $"{name}: {d}"));
        return actual;
    }

    private async Task<(int Status, string ContentType, string Body)> SendAsync(Exchange exchange)
    {
        using var request = new HttpRequestMessage(new HttpMethod(exchange.Method), exchange.Target);
        if (exchange.RequestBody is not null)
        {
            request.Content = new StringContent(exchange.RequestBody, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(exchange.RequestHeaders["Content-Type"]);
        }

        request.Headers.TryAddWithoutValidation("Accept", exchange.RequestHeaders["Accept"]);
        request.Headers.TryAddWithoutValidation("User-Agent", exchange.RequestHeaders["User-Agent"]);
        using var response = await _http.SendAsync(request);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? string.Empty, await response.Content.ReadAsStringAsync());
    }

    /// <summary>uid, resourceVersion and the times differ between any two servers.</summary>
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
                    foreach (var key in new[] { "uid", "creationTimestamp", "resourceVersion", "time", "lastTransitionTime" })
                    {
                        if (o[key] is JsonValue)
                        {
                            o.Remove(key);
                        }
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
