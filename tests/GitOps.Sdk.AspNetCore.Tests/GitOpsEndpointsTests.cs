using System.Net;
using System.Net.Http.Json;
using System.Reactive.Linq;
using System.Text.Json.Nodes;
using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using GitOps.Sdk.Testing;
using GitOps.Sdk.Testing.InMemory;
using GitOps.Sdk.TestUtilities;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.AspNetCore.Tests;

/// <summary>
/// <c>MapGitOps()</c> on a real Kestrel host on 127.0.0.1: the engine reconciles an in-memory source into the API
/// emulator over HTTP through the Kubernetes target, holding every change for approval; the tests steer it through
/// the HTTP API only.
/// </summary>
public sealed class GitOpsEndpointsTests : IAsyncLifetime
{
    private const string Url = "memory://shop";
    private readonly InMemorySourceProvider _source = new();
    private KubeApiEmulator _emulator = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private readonly List<ReconcileCompleted> _completed = [];

    private IGitOpsController Controller => _app.Services.GetRequiredService<IGitOpsController>();

    public async Task InitializeAsync()
    {
        _source.Commit(Url, new Dictionary<string, string>
        {
            ["settings.yaml"] = Settings("v1"),
            ["secret.yaml"] = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: shop\nstringData:\n  password: hunter2-secret\n",
        });
        _emulator = await KubeApiEmulator.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{FreePort.Next()}");
        builder.Logging.ClearProviders();
        builder.Services
            .AddGitOps(o => o.DriftDebounce = TimeSpan.FromMilliseconds(100))
            .AddSourceProvider(_source)
            .AddApprovalPolicy(new HoldAllChangesPolicy())
            .AddApplication(new ApplicationDefinition
            {
                Name = "shop",
                Source = new SourceReference { Url = Url, Ref = "main" },
                Namespace = "shop",
                CreateNamespace = true,
                Interval = TimeSpan.FromHours(1),
            })
            .AddKubernetesTarget(k => k.KubeconfigPath = _emulator.KubeconfigPath);
        _app = builder.Build();
        _app.MapGitOps();
        Controller.Events.OfType<ReconcileCompleted>().Subscribe(e => { lock (_completed) { _completed.Add(e); } });
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.Single() + "/gitops/"), Timeout = TimeSpan.FromSeconds(30) };
        await WaitUntilAsync(() => Controller.GetStatus("shop")?.HeldPlan is not null, "the first plan to be held");
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _emulator.DisposeAsync();
        _source.Dispose();
    }

    [Fact]
    public async Task GetApplications_ListsTheApplicationWithStatesAsWordsAndTheHeldPlan()
    {
        var apps = await _http.GetFromJsonAsync<JsonArray>("applications");

        var shop = apps.Should().ContainSingle().Subject!;
        shop["name"]!.GetValue<string>().Should().Be("shop");
        shop["sync"]!.GetValue<string>().Should().Be("OutOfSync", "the held changes are not applied");
        shop["health"]!.GetValue<string>().Should().MatchRegex("^[A-Z][a-z]+$");
        shop["suspended"]!.GetValue<bool>().Should().BeFalse();
        shop["heldPlan"]!.GetValue<string>().Should().Be(Controller.GetStatus("shop")!.HeldPlan!.Hash);
    }

    [Fact]
    public async Task GetApplication_ShowsConditionsHistoryAndTheHeldPlanAsWords_NeverTheSecretValue()
    {
        var body = await _http.GetStringAsync("applications/shop");
        var app = JsonNode.Parse(body)!;

        app["summary"]!["name"]!.GetValue<string>().Should().Be("shop");
        app["conditions"]!.AsArray().Select(c => c!["status"]!.GetValue<string>()).Should().OnlyContain(s => s == "True" || s == "False" || s == "Unknown");
        var ready = app["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Ready")!;
        ready["status"]!.GetValue<string>().Should().Be("False");
        var history = app["history"]!.AsArray().Should().NotBeEmpty().And.Subject.First()!;
        history["outcome"]!.GetValue<string>().Should().Be("Held");
        history["trigger"]!.GetValue<string>().Should().Be("Startup");
        var held = app["heldPlan"]!;
        held["wholePlan"]!.GetValue<bool>().Should().BeTrue();
        held["steps"]!.AsArray().Select(s => s!["key"]!.GetValue<string>()).Should().Contain(["/ConfigMap/shop/settings", "/Secret/shop/db"]);
        held["steps"]!.AsArray().Select(s => s!["action"]!.GetValue<string>()).Should().OnlyContain(a => a == "Apply");
        body.Should().NotContain("hunter2-secret");
    }

    [Fact]
    public async Task Approve_WrongHash_409NamingTheHeldPlan_NothingApplied_RightHash_Applies()
    {
        var held = Controller.GetStatus("shop")!.HeldPlan!.Hash;

        using var wrong = await _http.PostAsync("applications/shop/approve?plan=0000", null);
        wrong.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await wrong.Content.ReadAsStringAsync()).Should().Contain(held);
        using var missing = await _http.PostAsync("applications/shop/approve", null);
        missing.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        _emulator.Get("v1", "ConfigMap", "shop", "settings").Should().BeNull();

        var before = Completed();
        using var right = await _http.PostAsync($"applications/shop/approve?plan={held}", null);

        right.StatusCode.Should().Be(HttpStatusCode.OK);
        var result = await right.Content.ReadFromJsonAsync<JsonObject>();
        result!["accepted"]!.GetValue<bool>().Should().BeTrue();
        await WaitUntilAsync(() => Completed() > before, "the approved reconcile finished");
        LastCompleted().Outcome.Should().Be(ReconcileOutcome.Applied);
        LastCompleted().Trigger.Should().Be(ReconcileTrigger.Approval);
        _emulator.Get("v1", "ConfigMap", "shop", "settings")!["data"]!["GREETING"]!.GetValue<string>().Should().Be("v1");
        var summary = await _http.GetFromJsonAsync<JsonObject>("applications/shop");
        summary!["heldPlan"].Should().BeNull();
        summary["summary"]!["sync"]!.GetValue<string>().Should().Be("Synced");
    }

    [Fact]
    public async Task Suspend_ThenReconcile_409_Resume_ThenReconcile_202AndItRuns()
    {
        using var suspended = await _http.PostAsync("applications/shop/suspend", null);
        suspended.StatusCode.Should().Be(HttpStatusCode.OK);
        (await suspended.Content.ReadFromJsonAsync<JsonObject>())!["suspended"]!.GetValue<bool>().Should().BeTrue();
        Controller.GetStatus("shop")!.Suspended.Should().BeTrue();

        using var refused = await _http.PostAsync("applications/shop/reconcile", null);
        refused.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("suspended");

        using var resumed = await _http.PostAsync("applications/shop/resume", null);
        resumed.StatusCode.Should().Be(HttpStatusCode.OK);
        Controller.GetStatus("shop")!.Suspended.Should().BeFalse();
        await WaitUntilAsync(() => Controller.GetStatus("shop")!.History.Length >= 2 || Completed() >= 2, "the reconcile after resuming");

        var before = Completed();
        using var requested = await _http.PostAsync("applications/shop/reconcile", null);
        requested.StatusCode.Should().Be(HttpStatusCode.Accepted);
        await WaitUntilAsync(() => Completed() > before, "the requested reconcile finished");
        LastCompleted().Trigger.Should().Be(ReconcileTrigger.Manual);
    }

    [Fact]
    public async Task Diff_ShowsTheSourceAgainstTheClusterWithAUnifiedDiff_SecretValueMasked()
    {
        var diff = await _http.GetFromJsonAsync<JsonObject>("applications/shop/diff");

        diff!["application"]!.GetValue<string>().Should().Be("shop");
        diff["inSync"]!.GetValue<bool>().Should().BeFalse();
        diff["error"].Should().BeNull();
        var settings = diff["objects"]!.AsArray().Single(o => o!["key"]!.GetValue<string>() == "/ConfigMap/shop/settings")!;
        settings["action"]!.GetValue<string>().Should().Be("Create");
        settings["unified"]!.GetValue<string>().Should().Contain("+++").And.Contain("GREETING");
        diff.ToJsonString().Should().NotContain("hunter2-secret").And.NotContain("aHVudGVyMi1zZWNyZXQ=");
    }

    [Theory]
    [InlineData("GET", "applications/nope")]
    [InlineData("GET", "applications/nope/diff")]
    [InlineData("POST", "applications/nope/reconcile")]
    [InlineData("POST", "applications/nope/suspend")]
    [InlineData("POST", "applications/nope/resume")]
    [InlineData("POST", "applications/nope/approve?plan=abc")]
    public async Task UnknownApplication_404NamingIt(string method, string path)
    {
        using var response = await _http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).Should().Contain("no application named 'nope'");
    }

    private static string Settings(string value) =>
        $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  GREETING: \"{value}\"\n";

    private int Completed()
    {
        lock (_completed)
        {
            return _completed.Count;
        }
    }

    private ReconcileCompleted LastCompleted()
    {
        lock (_completed)
        {
            return _completed[^1];
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(20);
        }
    }
}
