using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>Fault rules: failing, throttled, slowed and dropped requests, count-limited.</summary>
public sealed class FaultInjectionTests : IAsyncLifetime
{
    private KubeApiEmulator _api = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _api = await KubeApiEmulator.StartAsync();
        _http = new HttpClient { BaseAddress = _api.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Rule_WithTimes_FailsThatManyMatchingRequestsThenLetsThemThrough()
    {
        var rule = _api.Faults.Add(new FaultRule { Verb = "list", Resource = "configmaps", StatusCode = 500, Times = 2 });
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_api.KubeconfigPath));

        for (var i = 0; i < 2; i++)
        {
            var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespacedConfigMapAsync("default"));
            e.Response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
            ((string?)JsonNode.Parse(e.Response.Content)!["reason"]).Should().Be("InternalError");
        }

        (await client.CoreV1.ListNamespacedConfigMapAsync("default")).Items.Should().BeEmpty();
        (await client.CoreV1.ListNamespaceAsync()).Items.Should().NotBeEmpty("other resources are not affected");
        rule.Hits.Should().Be(2);
        rule.Exhausted.Should().BeTrue();
    }

    [Fact]
    public async Task Rule_TooManyRequests_SendsRetryAfter()
    {
        _api.Faults.Add(new FaultRule { Method = "GET", PathContains = "/namespaces/default", StatusCode = 429, RetryAfter = TimeSpan.FromSeconds(3), Times = 1 });
        using var response = await _http.GetAsync("/api/v1/namespaces/default");
        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(3));
        var status = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        ((string?)status["reason"]).Should().Be("TooManyRequests");
        ((int?)status["details"]!["retryAfterSeconds"]).Should().Be(3);

        using var retry = await _http.GetAsync("/api/v1/namespaces/default");
        retry.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Rule_Conflict_OnApplyOfOneObject()
    {
        _api.Faults.Add(new FaultRule { Verb = "apply", Name = "contested", StatusCode = 409 });
        using var content = new StringContent("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"contested","namespace":"default"}}""");
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/apply-patch+yaml");
        using var response = await _http.PatchAsync("/api/v1/namespaces/default/configmaps/contested?fieldManager=x", content);
        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        _api.Get("v1", "ConfigMap", "default", "contested").Should().BeNull();
    }

    [Fact]
    public async Task Rule_Delay_AnswersAfterTheDelay()
    {
        var rule = _api.Faults.Add(new FaultRule { Verb = "get", Resource = "namespaces", Delay = TimeSpan.FromMilliseconds(200), Times = 1 });
        using var response = await _http.GetAsync("/api/v1/namespaces/default");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        rule.Hits.Should().Be(1);
    }

    [Fact]
    public async Task Rule_DropWatch_EndsTheStreamAfterTheInitialEvents()
    {
        _api.Faults.Add(new FaultRule { Verb = "watch", DropWatch = true, Times = 1 });
        using var response = await _http.GetAsync("/api/v1/namespaces?watch=1", HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsStringAsync();
        body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(4, "the four default namespaces are sent, then the connection drops");
    }

    [Fact]
    public async Task DropWatches_ClosesOpenWatchConnections()
    {
        using var response = await _http.GetAsync("/api/v1/namespaces/default/configmaps?watch=1", HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var dropped = 0;
        for (var i = 0; i < 100 && dropped == 0; i++)
        {
            dropped = _api.DropWatches();
            if (dropped == 0)
            {
                await Task.Delay(20);
            }
        }

        dropped.Should().Be(1);
        using var reader = new StreamReader(stream);
        (await reader.ReadToEndAsync()).Should().BeEmpty();
    }
}
