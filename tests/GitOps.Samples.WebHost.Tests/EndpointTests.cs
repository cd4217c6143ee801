using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitOps.Samples.WebHost.Tests;

[Collection(WebHostCollection.Name)]
public sealed class EndpointTests(WebHostFixture fixture)
{
    [Fact]
    public async Task GetApps_AfterFirstSync_ListsTheConfiguredApplicationSynced()
    {
        var apps = await fixture.Http.GetFromJsonAsync<JsonArray>("api/applications");

        apps.Should().ContainSingle();
        apps![0]!["name"]!.GetValue<string>().Should().Be("demo");
        apps[0]!["revision"]!.GetValue<string>().Should().StartWith("main@sha1:");
        apps[0]!["sync"]!.GetValue<string>().Should().BeOneOf("Synced", "OutOfSync");
    }

    [Fact]
    public async Task GetApp_Unknown_Returns404()
    {
        using var response = await fixture.Http.GetAsync("api/applications/nope");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).Should().Contain("no application named 'nope'");
    }

    [Fact]
    public async Task GetApp_AfterAnotherActorScales_ShowsObjectsAndAttributedDrift()
    {
        var before = fixture.Controller.GetStatus("demo")!.LastDrift?.DetectedAt;
        await fixture.Emulator.MutateAsync("apps/v1", "Deployment", "demo", "web", o => o["spec"]!["replicas"] = 7, "kubectl-scale");
        await WebHostFixture.WaitUntilAsync(
            () => fixture.Controller.GetStatus("demo")!.LastDrift is { } d && d.DetectedAt != before
                && d.Objects.Any(o => o.Changes.Any(c => c.Path == "/spec/replicas")),
            "the drift to be recorded");

        var app = await fixture.Http.GetFromJsonAsync<JsonObject>("api/applications/demo");

        app!["summary"]!["name"]!.GetValue<string>().Should().Be("demo");
        app["objects"]!.AsArray().Select(o => o!["key"]!.GetValue<string>())
            .Should().Contain(["apps/Deployment/demo/web", "/Service/demo/web", "/ConfigMap/demo/web-settings", "/Namespace//demo"]);
        var change = app["lastDrift"]!["objects"]!.AsArray()
            .SelectMany(o => o!["changes"]!.AsArray()).Single(c => c!["path"]!.GetValue<string>() == "/spec/replicas")!;
        change["live"]!.GetValue<string>().Should().Be("7");
        change["desired"]!.GetValue<string>().Should().Be("2");
        change["changedBy"]!.GetValue<string>().Should().Contain("kubectl-scale");
        change["text"]!.GetValue<string>().Should().Be("spec.replicas: live 7 → desired 2 (live value by kubectl-scale)", "the API writes the SDK's one drift notation");
    }

    [Fact]
    public async Task GetDiff_CommitNotYetApplied_ShowsTheChangeAgainstLiveState()
    {
        // Suspended, so the engine cannot apply the commit while we look at the diff.
        fixture.Controller.Suspend("demo").Should().BeTrue();
        try
        {
            var deployment = Path.Combine(fixture.Repository, "deployment.yaml");
            await File.WriteAllTextAsync(deployment, (await File.ReadAllTextAsync(deployment)).Replace("web:1.4.2", "web:1.4.3", StringComparison.Ordinal));
            var sha = await fixture.CommitAllAsync("Bump the image");

            var diff = await fixture.Http.GetFromJsonAsync<JsonObject>("api/applications/demo/diff");

            diff!["application"]!.GetValue<string>().Should().Be("demo");
            diff["revision"]!.GetValue<string>().Should().Be($"main@sha1:{sha}");
            diff["inSync"]!.GetValue<bool>().Should().BeFalse();
            diff["unchanged"]!.GetValue<int>().Should().Be(3);
            var changed = diff["objects"]!.AsArray().Should().ContainSingle().Subject!;
            changed["key"]!.GetValue<string>().Should().Be("apps/Deployment/demo/web");
            changed["action"]!.GetValue<string>().Should().Be("Update");
            var change = changed["changes"]!.AsArray().Should().ContainSingle().Subject!;
            change["path"]!.GetValue<string>().Should().EndWith("/image");
            change["desired"]!.GetValue<string>().Should().Contain("web:1.4.3");
            change["live"]!.GetValue<string>().Should().Contain("web:1.4.2");
            changed["unified"]!.GetValue<string>().Should().Contain("web:1.4.3").And.Contain("web:1.4.2");
        }
        finally
        {
            fixture.Controller.Resume("demo");
        }

        (await fixture.Http.GetAsync("api/applications/nope/diff")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task GetDiff_SyncHooksAndSkippedObjects_AreNeverDrift_AsInTheEngine()
    {
        // Suspended, so the engine runs no hook while we look at the diff; the hooks leave the repository again after.
        fixture.Controller.Suspend("demo").Should().BeTrue();
        var hook = Path.Combine(fixture.Repository, "smoke-test.yaml");
        var skipped = Path.Combine(fixture.Repository, "skipped.yaml");
        try
        {
            await File.WriteAllTextAsync(hook, Job("smoke-test", "argocd.argoproj.io/hook: PostSync"));
            await File.WriteAllTextAsync(skipped, Job("skipped", "gitops.sdk.io/hook: Skip"));
            var sha = await fixture.CommitAllAsync("A smoke test hook and a skipped Job");

            var diff = await fixture.Http.GetFromJsonAsync<JsonObject>("api/applications/demo/diff");

            diff!["revision"]!.GetValue<string>().Should().Be($"main@sha1:{sha}");
            var keys = diff["objects"]!.AsArray().Select(o => o!["key"]!.GetValue<string>()).ToList();
            keys.Should().NotContain(k => k.StartsWith("batch/Job/", StringComparison.Ordinal));
            (diff["unchanged"]!.GetValue<int>() + keys.Count).Should().Be(4, "the Namespace, Deployment, Service and ConfigMap are compared, the Jobs are not");
        }
        finally
        {
            File.Delete(hook);
            File.Delete(skipped);
            await fixture.CommitAllAsync("No hooks");
            fixture.Controller.Resume("demo");
        }
    }

    private static string Job(string name, string annotation) => $"""
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: {name}
          annotations:
            {annotation}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: main
                  image: registry.example.com/tools:1.0
        """;

    [Fact]
    public async Task PostReconcile_KnownApplication_Returns202AndReconcilesManually()
    {
        var manualBefore = ManualReconciles();

        using var response = await fixture.Http.PostAsync("api/applications/demo/reconcile", content: null);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        await WebHostFixture.WaitUntilAsync(() => ManualReconciles() > manualBefore, "a manual reconcile");
        (await fixture.Http.PostAsync("api/applications/nope/reconcile", content: null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PostGitHook_BadOrMissingSignature_Returns401AndTriggersNothing()
    {
        var body = PushPayload(fixture.Repository);
        using var wrong = Request(body, PushWebhook.Sign("not-the-secret", Encoding.UTF8.GetBytes(body)));
        using var missing = Request(body, signature: null);
        using var malformed = Request(body, "sha256=zz");

        (await fixture.Http.SendAsync(wrong)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await fixture.Http.SendAsync(missing)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await fixture.Http.SendAsync(malformed)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task PostGitHook_GoodSignatureAfterPush_AppliesTheNewCommit()
    {
        var configmap = Path.Combine(fixture.Repository, "configmap.yaml");
        await File.WriteAllTextAsync(configmap, (await File.ReadAllTextAsync(configmap)).Replace("Hello from Git", "Hello from the webhook", StringComparison.Ordinal));
        var sha = await fixture.CommitAllAsync("Change the greeting");
        var body = PushPayload(fixture.Repository);
        using var request = Request(body, PushWebhook.Sign(WebHostFixture.Secret, Encoding.UTF8.GetBytes(body)));

        using var response = await fixture.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadFromJsonAsync<JsonObject>())!["triggered"]!.GetValue<int>().Should().Be(1);
        await WebHostFixture.WaitUntilAsync(
            () => fixture.Emulator.Get("v1", "ConfigMap", "demo", "web-settings")?["data"]?["GREETING"]?.GetValue<string>() == "Hello from the webhook",
            "the new commit to be applied");
        await WebHostFixture.WaitUntilAsync(
            () => fixture.Controller.GetStatus("demo")!.LastAppliedRevision == $"main@sha1:{sha}",
            "the status to show the new revision");
    }

    [Fact]
    public async Task GetMetrics_AfterReconciles_ExposesTheGitOpsMeterInPrometheusFormat()
    {
        using var response = await fixture.Http.GetAsync("metrics");
        var text = await response.Content.ReadAsStringAsync();

        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        text.Should().Contain("# TYPE gitops_reconcile_duration_seconds histogram\n");
        text.Should().MatchRegex(@"gitops_reconcile_duration_seconds_count\{[^}]*\} [1-9]\d*\n");
        text.Should().MatchRegex(@"gitops_reconcile_duration_seconds_bucket\{[^}]*le=""\+Inf""\} [1-9]\d*\n");
        text.Should().Contain("# TYPE gitops_apply_objects_total counter\n");
    }

    [Fact]
    public async Task GetMetrics_ApplicationInfo_IsAGaugeOfOnePerApplicationWithItsSyncStatus()
    {
        await WebHostFixture.WaitUntilAsync(() => fixture.Controller.GetStatus("demo")!.Sync == GitOps.Sdk.Status.ApplicationSyncStatus.Synced, "demo to be synced");

        var text = await fixture.Http.GetStringAsync("metrics");

        text.Should().Contain("# TYPE gitops_application_info gauge\n");
        text.Should().MatchRegex(@"gitops_application_info\{gitops_application=""demo"",gitops_health_status=""[A-Za-z]+"",gitops_sync_status=""Synced""\} 1\n");
    }

    [Fact]
    public async Task GetHealthz_SyncedApplication_Returns200HealthyWithAnEntryForTheApplication()
    {
        await WebHostFixture.WaitUntilAsync(() => fixture.Controller.GetStatus("demo")!.Sync == GitOps.Sdk.Status.ApplicationSyncStatus.Synced, "demo to be synced");

        using var response = await fixture.Http.GetAsync("healthz");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        body["status"]!.GetValue<string>().Should().Be("Healthy");
        var gitops = body["checks"]!["gitops"]!;
        gitops["status"]!.GetValue<string>().Should().Be("Healthy");
        gitops["description"]!.GetValue<string>().Should().Contain("1 application(s)");
        var demo = gitops["data"]!["demo"]!;
        demo["sync"]!.GetValue<string>().Should().Be("Synced");
        demo["reason"]!.GetValue<string>().Should().Be("ReconciliationSucceeded");
        demo["suspended"]!.GetValue<string>().Should().Be("false");
    }

    private int ManualReconciles() =>
        fixture.Controller.GetStatus("demo")!.History.Count(h => h.Trigger == GitOps.Sdk.Status.ReconcileTrigger.Manual);

    private static string PushPayload(string repositoryUrl) => JsonSerializer.Serialize(new
    {
        @ref = "refs/heads/main",
        repository = new { clone_url = repositoryUrl, html_url = "https://git.example.com/demo/deploy" },
    });

    private static HttpRequestMessage Request(string body, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "hooks/git") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.Add(PushWebhook.SignatureHeader, signature);
        }

        return request;
    }
}
