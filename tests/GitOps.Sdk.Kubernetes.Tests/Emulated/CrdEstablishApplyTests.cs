using GitOps.Sdk.Hosting;
using GitOps.Sdk.Kubernetes;
using GitOps.Sdk.Status;
using GitOps.Sdk.Testing;
using static GitOps.Sdk.Kubernetes.Tests.Emulated.KubeTarget;

namespace GitOps.Sdk.Kubernetes.Tests.Emulated;

/// <summary>
/// A CRD and its custom resources in one plan against an emulator that establishes CRDs late, as a real API server
/// does (discovery of the new group answers 404 in plain text until then).
/// </summary>
public sealed class CrdEstablishApplyTests
{
    private const string App = "shop";

    public static TheoryData<int> EstablishDelays => new()
    {
        // Within the recorded 83-286 ms, and longer than several of the engine's first polls (50 ms, doubling).
        120,
        1500,
    };

    private static KubeObject Crd => Obj($$$"""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"promotions.shop.example.org","labels":{"{{{WellKnown.ApplicationLabel}}}":"{{{App}}}"} },
         "spec":{"group":"shop.example.org","scope":"Namespaced","names":{"plural":"promotions","singular":"promotion","kind":"Promotion","listKind":"PromotionList"},
                 "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","properties":{"discount":{"type":"integer"} } } } } } }]} }
        """);

    private static KubeObject Promotion(string name) => Obj($$$"""
        {"apiVersion":"shop.example.org/v1","kind":"Promotion","metadata":{"name":"{{{name}}}","namespace":"default","labels":{"{{{WellKnown.ApplicationLabel}}}":"{{{App}}}"} },"spec":{"discount":15} }
        """);

    [Theory]
    [MemberData(nameof(EstablishDelays))]
    public async Task Reconcile_CrdAndCustomResources_LaggingDiscovery_AllCreatedInOneApply(int establishDelayMs)
    {
        await using var t = await KubeTarget.StartAsync(emulator: new KubeApiEmulatorOptions { CrdEstablishDelay = TimeSpan.FromMilliseconds(establishDelayMs) });

        // Mapping was read before the CRD existed: the mapper must read discovery again after the CRD is Established.
        (await t.Mapper.TryMapAsync("shop.example.org/v1", "Promotion", CancellationToken.None)).Should().BeNull();
        var result = await t.ReconcileAsync(App, [Promotion("summer"), Promotion("winter"), Crd]);

        result.Succeeded.Should().BeTrue(result.Describe());
        result.Objects.Select(o => o.Outcome).Should().AllBeEquivalentTo(ApplyOutcome.Created);
        (await t.GetAsync(Promotion("summer").Key, "shop.example.org/v1"))!.Json.GetProperty("spec").GetProperty("discount").GetInt32().Should().Be(15);
        (await t.GetAsync(Promotion("winter").Key, "shop.example.org/v1")).Should().NotBeNull();
    }

    [Fact]
    public async Task ApplyAsync_DiscoveryStillNotFoundAfterEstablished_RetriesMappingThenCreates()
    {
        await using var t = await KubeTarget.StartAsync(emulator: new KubeApiEmulatorOptions { CrdEstablishDelay = TimeSpan.FromMilliseconds(120) });

        // The emulator turns Established and discovery on together; a real server may serve discovery a moment later.
        // This client sees discovery of the new group version answer 404 (plain text, as recorded) three more times.
        var lag = new DiscoveryLag("/apis/shop.example.org/v1", times: 3);
        using var client = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(t.Api.KubeconfigPath), lag);
        var applier = new KubernetesApplier(client, new KubernetesRestMapper(client, t.Options), t.Options);
        var crd = Crd;
        var summer = Promotion("summer");
        var plan = new ApplyPlan
        {
            Application = App,
            Steps =
            [
                new PlanStep { Key = crd.Key, Action = PlanAction.Apply, Desired = crd },
                new PlanStep { Key = summer.Key, Action = PlanAction.Apply, Desired = summer },
            ],
        };

        var result = await applier.ApplyAsync(plan, new ApplyOptions(), CancellationToken.None);

        result.Succeeded.Should().BeTrue(string.Join("; ", result.Objects.Select(o => $"{o.Key}: {o.Outcome} {o.Message}")));
        lag.Answered.Should().Be(3, "the applier read discovery again until it served the kind");
        (await t.GetAsync(summer.Key, "shop.example.org/v1")).Should().NotBeNull();
    }

    [Fact]
    public async Task DetectOnlyThenDryRun_CrdNotInstalled_ReportsCustomResourceAsCreatedAfterTheCrd()
    {
        await using var t = await KubeTarget.StartAsync(emulator: new KubeApiEmulatorOptions { CrdEstablishDelay = TimeSpan.FromMilliseconds(120) });
        var detect = await t.ReconcileAsync(App, [Promotion("summer"), Crd], a => a with { Mode = ReconcileMode.DetectOnly });
        detect.Outcome.Should().Be(ReconcileOutcome.OutOfSync, detect.Describe());
        var plan = detect.Result.Plan!;

        plan.Steps.Single(s => s.Key.Kind == "Promotion").Reason.Should().Be("will be created after the CRD promotions.shop.example.org");
        var result = await t.Applier.ApplyAsync(plan, new ApplyOptions { DryRun = true }, CancellationToken.None);

        result.Succeeded.Should().BeTrue(string.Join("; ", result.Objects.Select(o => $"{o.Key}: {o.Outcome} {o.Message}")));
        var promotion = result.Objects.Single(o => o.Key.Kind == "Promotion");
        promotion.Outcome.Should().Be(ApplyOutcome.Created);
        promotion.Message.Should().StartWith("will be created after the CRD promotions.shop.example.org");
        t.Api.Get("apiextensions.k8s.io/v1", "CustomResourceDefinition", null, "promotions.shop.example.org").Should().BeNull("a dry-run creates nothing");
    }

    [Fact]
    public async Task Reconcile_CrdNeverEstablishedInTime_FailsNamingTheCrdAndTheOption()
    {
        await using var t = await KubeTarget.StartAsync(
            o => o.CrdEstablishedTimeout = TimeSpan.FromMilliseconds(300),
            new KubeApiEmulatorOptions { CrdEstablishDelay = TimeSpan.FromSeconds(30) });

        var result = await t.ReconcileAsync(App, [Promotion("summer"), Crd]);

        result.Objects.Single(o => o.Key.Kind == "CustomResourceDefinition").Outcome.Should().Be(ApplyOutcome.Created);
        var failure = result.Objects.Single(o => o.Key.Kind == "Promotion");
        failure.Outcome.Should().Be(ApplyOutcome.Failed);
        failure.Message.Should().Contain("promotions.shop.example.org").And.Contain("did not become Established within 0.3 s").And.Contain("CrdEstablishedTimeout");
    }

    /// <summary>Answers the first <c>times</c> discovery reads of one group version with the real server's plain-text 404.</summary>
    private sealed class DiscoveryLag(string path, int times) : DelegatingHandler
    {
        private int _seen;
        private int _answered;

        public int Answered => Volatile.Read(ref _answered);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get
                && request.RequestUri is { } uri
                && uri.AbsolutePath.EndsWith(path, StringComparison.Ordinal)
                && Interlocked.Increment(ref _seen) <= times)
            {
                Interlocked.Increment(ref _answered);
                return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.NotFound)
                {
                    Content = new StringContent("404 page not found\n", System.Text.Encoding.UTF8, "text/plain"),
                    RequestMessage = request,
                });
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
