using GitOps.Sdk.Planning;

namespace GitOps.Sdk.Tests.Planning;

public class PlannerTests
{
    private const string App = "shop";

    private static KubeObject Obj(string apiVersion, string kind, string name, string? ns = "prod", string? owner = App, string? wave = null, string? prune = null, string? rv = null, string extra = "")
    {
        var labels = owner is null ? string.Empty : $"\"labels\":{{\"{WellKnown.ApplicationLabel}\":\"{owner}\"}},";
        var annotations = new List<string>();
        if (wave is not null)
        {
            annotations.Add($"\"{WellKnown.SyncWaveAnnotation}\":\"{wave}\"");
        }

        if (prune is not null)
        {
            annotations.Add($"\"{WellKnown.PruneAnnotation}\":\"{prune}\"");
        }

        var ann = annotations.Count == 0 ? string.Empty : $"\"annotations\":{{{string.Join(",", annotations)}}},";
        var nsText = ns is null ? string.Empty : $"\"namespace\":\"{ns}\",";
        var rvText = rv is null ? string.Empty : $"\"resourceVersion\":\"{rv}\",";
        return KubeObject.Parse($"{{\"apiVersion\":\"{apiVersion}\",\"kind\":\"{kind}\",\"metadata\":{{{labels}{ann}{nsText}{rvText}\"name\":\"{name}\"}}{extra}}}");
    }

    private static Inventory InventoryOf(params KubeObject[] objects) => new()
    {
        Application = App,
        Entries = [.. objects.Select(o => new InventoryEntry(o.Key, o.ApiVersion))],
    };

    private static PlanRequest Request(IEnumerable<KubeObject> desired, IEnumerable<KubeObject>? live = null, Inventory? previous = null, PlanOptions? options = null, IEnumerable<ResourceDiff>? diffs = null) => new()
    {
        Application = App,
        Desired = new DesiredState { Objects = [.. desired] },
        Live = (live ?? []).ToDictionary(o => o.Key),
        Diffs = (diffs ?? []).ToDictionary(d => d.Key),
        PreviousInventory = previous,
        Options = options ?? new PlanOptions(),
    };

    [Fact]
    public void Plan_MixedKinds_OrdersDefinitionsNamespacesRbacConfigServicesWorkloadsWebhooks()
    {
        var desired = new[]
        {
            Obj("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "hook", ns: null),
            Obj("example.com/v1", "Widget", "w"),
            Obj("apps/v1", "Deployment", "web"),
            Obj("v1", "Service", "web"),
            Obj("v1", "ConfigMap", "settings"),
            Obj("rbac.authorization.k8s.io/v1", "RoleBinding", "rb"),
            Obj("v1", "ServiceAccount", "sa"),
            Obj("storage.k8s.io/v1", "StorageClass", "fast", ns: null),
            Obj("rbac.authorization.k8s.io/v1", "ClusterRole", "viewer", ns: null),
            Obj("v1", "Namespace", "prod", ns: null),
            Obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.example.com", ns: null),
            Obj("autoscaling/v2", "HorizontalPodAutoscaler", "web"),
            Obj("networking.k8s.io/v1", "Ingress", "web"),
        };

        var plan = new Planner().Plan(Request(desired));

        plan.Steps.Select(s => s.Key.Kind).Should().Equal(
            "CustomResourceDefinition",
            "Namespace",
            "ClusterRole",
            "StorageClass",
            "ServiceAccount",
            "RoleBinding",
            "ConfigMap",
            "Service",
            "Deployment",
            "HorizontalPodAutoscaler",
            "Ingress",
            "Widget",
            "ValidatingWebhookConfiguration");
        plan.Steps.Should().OnlyContain(s => s.Action == PlanAction.Apply);
    }

    [Fact]
    public void Plan_SyncWaves_LowerWaveFirstRegardlessOfKind()
    {
        var plan = new Planner().Plan(Request([
            Obj("v1", "Namespace", "late", ns: null, wave: "5"),
            Obj("apps/v1", "Deployment", "early", wave: "-1"),
            Obj("v1", "ConfigMap", "middle"),
        ]));

        plan.Steps.Select(s => (s.Key.Name, s.Wave)).Should().Equal(("early", -1), ("middle", 0), ("late", 5));
    }

    [Fact]
    public void Plan_UnchangedDiff_NoneSoNothingIsWritten()
    {
        var desired = Obj("v1", "ConfigMap", "settings");
        var live = Obj("v1", "ConfigMap", "settings", rv: "7");
        var diff = new ResourceDiff { Key = desired.Key, Action = DiffAction.Unchanged };

        var plan = new Planner().Plan(Request([desired], [live], InventoryOf(desired), diffs: [diff]));

        plan.Steps.Should().ContainSingle().Which.Action.Should().Be(PlanAction.None);
    }

    [Fact]
    public void Plan_DriftedDiff_Apply()
    {
        var desired = Obj("v1", "ConfigMap", "settings");
        var live = Obj("v1", "ConfigMap", "settings", rv: "7");
        var diff = new ResourceDiff { Key = desired.Key, Action = DiffAction.Update };

        var plan = new Planner().Plan(Request([desired], [live], InventoryOf(desired), diffs: [diff]));

        plan.Steps.Single().Action.Should().Be(PlanAction.Apply);
        plan.Steps.Single().Live.Should().BeSameAs(live);
    }

    [Fact]
    public void Plan_RemovedFromDesired_PrunesInReverseOrder()
    {
        var ns = Obj("v1", "Namespace", "old", ns: null);
        var cm = Obj("v1", "ConfigMap", "old");
        var deploy = Obj("apps/v1", "Deployment", "old");
        var svc = Obj("v1", "Service", "old");
        var kept = Obj("v1", "ConfigMap", "kept");

        var plan = new Planner().Plan(Request([kept], [ns, cm, deploy, svc, kept], InventoryOf(ns, cm, deploy, svc, kept)));

        plan.Steps.Select(s => (s.Key.Kind, s.Action)).Should().Equal(
            ("ConfigMap", PlanAction.Apply),
            ("Deployment", PlanAction.Delete),
            ("Service", PlanAction.Delete),
            ("ConfigMap", PlanAction.Delete),
            ("Namespace", PlanAction.Delete));
    }

    [Fact]
    public void Plan_PruneCandidateAlreadyGone_NoStep()
    {
        var gone = Obj("v1", "ConfigMap", "gone");
        var kept = Obj("v1", "ConfigMap", "kept");

        var plan = new Planner().Plan(Request([kept], [], InventoryOf(gone, kept)));

        plan.Steps.Should().ContainSingle().Which.Key.Should().Be(kept.Key);
    }

    [Fact]
    public void Plan_PruneOptOutAnnotation_Skip()
    {
        var keep = Obj("v1", "ConfigMap", "keep-me", prune: "disabled");
        var other = Obj("v1", "ConfigMap", "other");

        var plan = new Planner().Plan(Request([other], [keep, other], InventoryOf(keep, other)));

        var step = plan.Steps.Single(s => s.Key == keep.Key);
        step.Action.Should().Be(PlanAction.Skip);
        step.Reason.Should().Contain(WellKnown.PruneAnnotation).And.Contain("disabled");
    }

    [Fact]
    public void Plan_PruneCandidateOwnedByAnotherApplication_SkipNamingBoth()
    {
        var foreign = Obj("v1", "ConfigMap", "shared", owner: "billing");
        var other = Obj("v1", "ConfigMap", "other");

        var plan = new Planner().Plan(Request([other], [foreign, other], InventoryOf(foreign, other)));

        var step = plan.Steps.Single(s => s.Key == foreign.Key);
        step.Action.Should().Be(PlanAction.Skip);
        step.Reason.Should().Contain("'billing'").And.Contain("'shop'");
    }

    [Fact]
    public void Plan_PruneCandidateWithoutOwnershipMark_Skip()
    {
        var unmarked = Obj("v1", "ConfigMap", "unmarked", owner: null);
        var other = Obj("v1", "ConfigMap", "other");

        var plan = new Planner().Plan(Request([other], [unmarked, other], InventoryOf(unmarked, other)));

        plan.Steps.Single(s => s.Key == unmarked.Key).Action.Should().Be(PlanAction.Skip);
    }

    [Fact]
    public void Plan_EmptyDesired_NeverPrunesUnlessAllowed()
    {
        var a = Obj("v1", "ConfigMap", "a");
        var b = Obj("apps/v1", "Deployment", "b");

        var refused = new Planner().Plan(Request([], [a, b], InventoryOf(a, b)));
        var allowed = new Planner().Plan(Request([], [a, b], InventoryOf(a, b), new PlanOptions { AllowEmptyPrune = true }));

        refused.Steps.Should().HaveCount(2).And.OnlyContain(s => s.Action == PlanAction.Skip && s.Reason!.Contains("AllowEmptyPrune"));
        allowed.Steps.Select(s => (s.Key.Kind, s.Action)).Should().Equal(("Deployment", PlanAction.Delete), ("ConfigMap", PlanAction.Delete));
    }

    [Fact]
    public void Plan_PruneDisabled_NoDeletes()
    {
        var a = Obj("v1", "ConfigMap", "a");
        var b = Obj("v1", "ConfigMap", "b");

        var plan = new Planner().Plan(Request([b], [a, b], InventoryOf(a, b), new PlanOptions { Prune = false }));

        plan.Steps.Should().ContainSingle().Which.Key.Should().Be(b.Key);
    }

    [Fact]
    public void Plan_LiveOwnedByAnotherApplication_SkipUnlessTakeoverAllowed()
    {
        var desired = Obj("v1", "ConfigMap", "shared");
        var live = Obj("v1", "ConfigMap", "shared", owner: "billing");

        var refused = new Planner().Plan(Request([desired], [live]));
        var allowed = new Planner().Plan(Request([desired], [live], options: new PlanOptions { AllowTakeover = true }));

        refused.Steps.Single().Action.Should().Be(PlanAction.Skip);
        refused.Steps.Single().Reason.Should().Contain("'billing'").And.Contain("'shop'").And.Contain("AllowTakeover");
        allowed.Steps.Single().Action.Should().Be(PlanAction.Apply);
    }

    [Fact]
    public void Plan_UnmarkedLiveObject_AdoptedOnlyWhenAllowed()
    {
        var desired = Obj("v1", "ConfigMap", "legacy");
        var live = Obj("v1", "ConfigMap", "legacy", owner: null);

        var refused = new Planner().Plan(Request([desired], [live]));
        var adopted = new Planner().Plan(Request([desired], [live], options: new PlanOptions { AllowAdoption = true }));
        var inInventory = new Planner().Plan(Request([desired], [live], InventoryOf(desired)));

        refused.Steps.Single().Action.Should().Be(PlanAction.Skip);
        refused.Steps.Single().Reason.Should().Contain("AllowAdoption");
        adopted.Steps.Single().Action.Should().Be(PlanAction.Apply);
        inInventory.Steps.Single().Action.Should().Be(PlanAction.Apply);
    }

    [Fact]
    public void Plan_KindOrderOverride_Respected()
    {
        var options = new PlanOptions { KindOrderOverrides = new Dictionary<GroupKind, int> { [new GroupKind("example.com", "Widget")] = 0 } };

        var plan = new Planner().Plan(Request([Obj("v1", "Namespace", "prod", ns: null), Obj("example.com/v1", "Widget", "w")], options: options));

        plan.Steps.Select(s => s.Key.Kind).Should().Equal("Widget", "Namespace");
    }

    [Fact]
    public void Plan_Hash_StableAndSensitiveToContentActionAndLiveVersion()
    {
        var desired = Obj("v1", "ConfigMap", "settings", extra: ",\"data\":{\"a\":\"1\"}");
        var changed = Obj("v1", "ConfigMap", "settings", extra: ",\"data\":{\"a\":\"2\"}");
        var live7 = Obj("v1", "ConfigMap", "settings", rv: "7");
        var live8 = Obj("v1", "ConfigMap", "settings", rv: "8");
        var planner = new Planner();

        var h1 = planner.Plan(Request([desired], [live7], InventoryOf(desired))).Hash;
        var h2 = planner.Plan(Request([desired], [live7], InventoryOf(desired))).Hash;
        var h3 = planner.Plan(Request([changed], [live7], InventoryOf(desired))).Hash;
        var h4 = planner.Plan(Request([desired], [live8], InventoryOf(desired))).Hash;
        var h5 = planner.Plan(Request([desired], [live7], InventoryOf(desired), diffs: [new ResourceDiff { Key = desired.Key, Action = DiffAction.Unchanged }])).Hash;

        h1.Should().StartWith("sha256:").And.Be(h2);
        new[] { h1, h3, h4, h5 }.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Plan_DuplicateDesiredKey_PlannedOnce()
    {
        var plan = new Planner().Plan(Request([Obj("v1", "ConfigMap", "a"), Obj("v1", "ConfigMap", "a")]));

        plan.Steps.Should().ContainSingle();
    }

    [Fact]
    public void GetWave_InvalidAnnotation_Zero()
    {
        Planner.GetWave(Obj("v1", "ConfigMap", "a", wave: "soon")).Should().Be(0);
        Planner.GetWave(Obj("v1", "ConfigMap", "a", wave: " -3 ")).Should().Be(-3);
    }

    [Fact]
    public void GetRank_CustomResourceWithBuiltInKindName_RanksAsCustomResource()
    {
        KindOrder.GetRank(new GroupKind("example.com", "Service")).Should().Be(KindOrder.CustomResource);
        KindOrder.GetRank(new GroupKind(string.Empty, "Service")).Should().BeLessThan(KindOrder.CustomResource);
    }
}
