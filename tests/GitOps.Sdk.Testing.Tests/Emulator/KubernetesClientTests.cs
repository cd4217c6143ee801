using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>The unmodified KubernetesClient against the emulator: CRUD, list, watch, apply, patches, deletion.</summary>
public sealed class KubernetesClientTests : IAsyncLifetime
{
    private KubeApiEmulator _api = null!;
    private Kubernetes _client = null!;

    public async Task InitializeAsync()
    {
        // These tests use a CRD right after creating it; CrdEstablishTests covers the asynchronous establishment.
        _api = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions { CrdEstablishDelay = TimeSpan.Zero });
        _client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_api.KubeconfigPath));
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "apps" } });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
    }

    /// <summary>KubernetesClient sends apply bodies as JSON (like kubectl); YAML is converted first.</summary>
    private static string Json(string yaml) => GitOps.Sdk.Testing.Emulator.YamlJson.Parse(yaml)!.ToJsonString();

    private static string Message(HttpOperationException e) =>
        (string?)System.Text.Json.Nodes.JsonNode.Parse(e.Response.Content)?["message"] ?? string.Empty;

    private static V1ConfigMap ConfigMap(string name, Dictionary<string, string>? labels = null, Dictionary<string, string>? data = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "apps", Labels = labels },
        Data = data ?? new Dictionary<string, string> { ["k"] = "v" },
    };

    [Fact]
    public async Task Crud_ConfigMap_CreatesReadsReplacesAndDeletes()
    {
        var created = await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("crud"), "apps");
        created.Metadata.Uid.Should().NotBeNullOrEmpty();
        created.Metadata.ResourceVersion.Should().NotBeNullOrEmpty();
        created.Metadata.CreationTimestamp.Should().NotBeNull();
        created.Metadata.ManagedFields.Should().ContainSingle(m => m.Operation == "Update");

        var read = await _client.CoreV1.ReadNamespacedConfigMapAsync("crud", "apps");
        read.Data["k"].Should().Be("v");

        read.Data["k"] = "changed";
        var replaced = await _client.CoreV1.ReplaceNamespacedConfigMapAsync(read, "crud", "apps");
        long.Parse(replaced.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeGreaterThan(long.Parse(created.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture));

        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReplaceNamespacedConfigMapAsync(read, "crud", "apps"));
        stale.Response.StatusCode.Should().Be(HttpStatusCode.Conflict);

        await _client.CoreV1.DeleteNamespacedConfigMapAsync("crud", "apps");
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespacedConfigMapAsync("crud", "apps"));
        missing.Response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        Message(missing).Should().Contain("configmaps \"crud\" not found");
    }

    [Fact]
    public async Task Create_InMissingNamespace_IsNotFoundLikeTheRealServer()
    {
        var cm = ConfigMap("orphan");
        cm.Metadata.NamespaceProperty = "nope";
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.CreateNamespacedConfigMapAsync(cm, "nope"));
        e.Response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        Message(e).Should().Contain("namespaces \"nope\" not found");
    }

    [Fact]
    public async Task List_WithSelectorsAndPagination_ReturnsMatchingItemsAcrossPages()
    {
        for (var i = 0; i < 25; i++)
        {
            await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap($"item-{i:00}", new Dictionary<string, string> { ["tier"] = i % 2 == 0 ? "even" : "odd" }), "apps");
        }

        var even = await _client.CoreV1.ListNamespacedConfigMapAsync("apps", labelSelector: "tier=even");
        even.Items.Should().HaveCount(13);
        var setBased = await _client.CoreV1.ListNamespacedConfigMapAsync("apps", labelSelector: "tier in (odd),tier notin (even)");
        setBased.Items.Should().HaveCount(12);
        var byName = await _client.CoreV1.ListNamespacedConfigMapAsync("apps", fieldSelector: "metadata.name=item-07");
        byName.Items.Should().ContainSingle().Which.Metadata.Name.Should().Be("item-07");

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await _client.CoreV1.ListNamespacedConfigMapAsync("apps", limit: 10, continueParameter: token, labelSelector: "tier");
            names.AddRange(page.Items.Select(i => i.Metadata.Name));
            token = page.Metadata.ContinueProperty;
            pages++;
        }
        while (!string.IsNullOrEmpty(token));

        pages.Should().Be(3);
        names.Should().HaveCount(25).And.OnlyHaveUniqueItems().And.BeInAscendingOrder(StringComparer.Ordinal);
    }

    [Fact]
    public async Task Watch_FromResourceVersion_StreamsAddedModifiedDeleted()
    {
        var list = await _client.CoreV1.ListNamespacedConfigMapAsync("apps");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<(WatchEventType, string)>();
        var reading = Task.Run(async () =>
        {
            await foreach (var (type, item) in _client.CoreV1.WatchListNamespacedConfigMapAsync("apps", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: cts.Token))
            {
                events.Add((type, item.Data?["k"] ?? string.Empty));
                if (type == WatchEventType.Deleted)
                {
                    break;
                }
            }
        });

        var cm = await _client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("watched"), "apps");
        cm.Data["k"] = "v2";
        await _client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "watched", "apps");
        await _client.CoreV1.DeleteNamespacedConfigMapAsync("watched", "apps");
        await reading;

        events.Should().Equal((WatchEventType.Added, "v"), (WatchEventType.Modified, "v2"), (WatchEventType.Deleted, "v2"));
    }

    [Fact]
    public async Task Apply_ByTwoManagers_ConflictsThenForceMovesOwnership()
    {
        const string Mine = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\n  namespace: apps\ndata:\n  color: blue\n  size: large\n";
        const string Theirs = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\n  namespace: apps\ndata:\n  color: red\n";
        var created = await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(Json(Mine), V1Patch.PatchType.ApplyPatch), "owned", "apps", fieldManager: "gitops-sdk");
        created.Metadata.ManagedFields.Should().ContainSingle(m => m.Manager == "gitops-sdk" && m.Operation == "Apply");

        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(Json(Theirs), V1Patch.PatchType.ApplyPatch), "owned", "apps", fieldManager: "other", force: false));
        conflict.Response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        conflict.Response.Content.Should().Contain("FieldManagerConflict");
        Message(conflict).Should().Contain("Apply failed with 1 conflict: conflict with \"gitops-sdk\": .data.color");

        var forced = await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(Json(Theirs), V1Patch.PatchType.ApplyPatch), "owned", "apps", fieldManager: "other", force: true);
        forced.Data.Should().Equal(new Dictionary<string, string> { ["color"] = "red", ["size"] = "large" });
        forced.Metadata.ManagedFields.Select(m => m.Manager).Should().Equal("gitops-sdk", "other");

        // Re-applying without the field it no longer owns leaves the other manager's value alone.
        var unchanged = await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(Json(Mine.Replace("  color: blue\n", string.Empty, StringComparison.Ordinal)), V1Patch.PatchType.ApplyPatch), "owned", "apps", fieldManager: "gitops-sdk");
        unchanged.Data["color"].Should().Be("red");
    }

    [Fact]
    public async Task Apply_DroppedField_IsPrunedWhenNoOtherManagerOwnsIt()
    {
        const string V1 = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pruned\n  namespace: apps\n  labels:\n    a: \"1\"\n    b: \"2\"\ndata:\n  x: \"1\"\n";
        const string V2 = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pruned\n  namespace: apps\n  labels:\n    a: \"1\"\ndata:\n  x: \"1\"\n";
        await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(Json(V1), V1Patch.PatchType.ApplyPatch), "pruned", "apps", fieldManager: "gitops-sdk");
        var after = await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(Json(V2), V1Patch.PatchType.ApplyPatch), "pruned", "apps", fieldManager: "gitops-sdk");
        after.Metadata.Labels.Should().Equal(new Dictionary<string, string> { ["a"] = "1" });
    }

    [Fact]
    public async Task Apply_DryRun_ReturnsResultWithoutStoring()
    {
        const string Yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry\n  namespace: apps\ndata:\n  a: b\n";
        var result = await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(Json(Yaml), V1Patch.PatchType.ApplyPatch), "dry", "apps", fieldManager: "gitops-sdk", dryRun: "All");
        result.Data["a"].Should().Be("b");
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespacedConfigMapAsync("dry", "apps"));
        e.Response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_WithFinalizer_KeepsObjectUntilFinalizerRemoved()
    {
        var cm = ConfigMap("finalized");
        cm.Metadata.Finalizers = ["example.com/hold"];
        await _client.CoreV1.CreateNamespacedConfigMapAsync(cm, "apps");
        await _client.CoreV1.DeleteNamespacedConfigMapAsync("finalized", "apps");

        var held = await _client.CoreV1.ReadNamespacedConfigMapAsync("finalized", "apps");
        held.Metadata.DeletionTimestamp.Should().NotBeNull();

        await _client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "finalized", "apps");
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespacedConfigMapAsync("finalized", "apps"));
        e.Response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Patch_StrategicMergeAndJsonPatch_MergeContainersByName()
    {
        var deployment = await _api.ApplyAsAsync("gitops-sdk", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: apps}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                    - {name: web, image: "nginx:1.25"}
                    - {name: sidecar, image: "busybox:1.36"}
            """);
        GitOps.Sdk.Testing.Emulator.JsonValues.Long(deployment["metadata"]!["generation"]).Should().Be(1);

        var patched = await _client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}}}""", V1Patch.PatchType.StrategicMergePatch), "web", "apps");
        patched.Spec.Template.Spec.Containers.Select(c => c.Image).Should().Equal("nginx:1.26", "busybox:1.36");
        patched.Metadata.Generation.Should().Be(2);

        var labelled = await _client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""[{"op":"add","path":"/metadata/labels","value":{"team":"a"}}]""", V1Patch.PatchType.JsonPatch), "web", "apps");
        labelled.Metadata.Labels["team"].Should().Be("a");
        labelled.Metadata.Generation.Should().Be(2, "metadata changes do not bump the generation");
        labelled.Metadata.ManagedFields.Should().Contain(m => m.Manager != "gitops-sdk" && m.Operation == "Update");
    }

    [Fact]
    public async Task Update_ImmutableSelector_IsInvalidLikeTheRealServer()
    {
        await _api.ApplyAsAsync("gitops-sdk", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: fixed, namespace: apps}
            spec:
              selector: {matchLabels: {app: fixed}}
              template:
                metadata: {labels: {app: fixed, v: "1"}}
                spec:
                  containers: [{name: c, image: "nginx:1.25"}]
            """);
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec":{"selector":{"matchLabels":{"app":"fixed","v":"1"}}}}""", V1Patch.PatchType.MergePatch), "fixed", "apps"));
        e.Response.StatusCode.Should().Be((HttpStatusCode)422);
        Message(e).Should().Contain("Deployment.apps \"fixed\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"fixed\", \"v\":\"1\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable");
    }

    [Fact]
    public async Task Update_ServiceClusterIp_IsImmutable()
    {
        var svc = await _client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "db", NamespaceProperty = "apps" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 5432 }], Selector = new Dictionary<string, string> { ["app"] = "db" } },
        }, "apps");
        svc.Spec.ClusterIP.Should().MatchRegex("^10\\.96\\.");
        svc.Spec.Ports[0].TargetPort.Value.Should().Be("5432");
        svc.Spec.Ports[0].Protocol.Should().Be("TCP");

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.PatchNamespacedServiceAsync(
            new V1Patch("""{"spec":{"clusterIP":"10.96.200.200","clusterIPs":["10.96.200.200"]}}""", V1Patch.PatchType.MergePatch), "db", "apps"));
        e.Response.StatusCode.Should().Be((HttpStatusCode)422);
        Message(e).Should().Contain("may not change once set");
    }

    [Fact]
    public async Task Crd_Created_ServesCustomResourcesWithSchemaDefaults()
    {
        await _api.ApplyAsAsync("gitops-sdk", await File.ReadAllTextAsync(Path.Combine(GitOps.Sdk.TestUtilities.TestPaths.KubeLive, "cases", "27-crd-structural-defaults", "desired.yaml")));
        var crd = await _client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("cacheclusters.caching.example.io");
        crd.Status.Conditions.Select(c => (c.Type, c.Status)).Should().Contain([("NamesAccepted", "True"), ("Established", "True")]);

        var resources = await _client.CustomObjects.ListClusterCustomObjectAsync("caching.example.io", "v1alpha1", "cacheclusters");
        resources.Should().NotBeNull();

        await _client.CustomObjects.CreateNamespacedCustomObjectAsync(
            new Dictionary<string, object>
            {
                ["apiVersion"] = "caching.example.io/v1alpha1",
                ["kind"] = "CacheCluster",
                ["metadata"] = new Dictionary<string, object> { ["name"] = "c1" },
                ["spec"] = new Dictionary<string, object> { ["engine"] = "redis" },
            }, "caching.example.io", "v1alpha1", "apps", "cacheclusters");
        var cr = _api.Get("caching.example.io/v1alpha1", "CacheCluster", "apps", "c1")!;
        GitOps.Sdk.Testing.Emulator.JsonValues.Long(cr["spec"]!["replicas"]).Should().Be(3);
        ((string?)cr["spec"]!["evictionPolicy"]).Should().Be("allkeys-lru");
    }

    [Fact]
    public async Task DeleteNamespace_RemovesItsObjectsThenTheNamespace()
    {
        await _client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "doomed" } });
        var cm = ConfigMap("inside");
        cm.Metadata.NamespaceProperty = "doomed";
        await _client.CoreV1.CreateNamespacedConfigMapAsync(cm, "doomed");

        var deleted = await _client.CoreV1.DeleteNamespaceAsync("doomed");
        deleted.Should().NotBeNull();

        var gone = false;
        for (var i = 0; i < 200 && !gone; i++)
        {
            try
            {
                await _client.CoreV1.ReadNamespaceAsync("doomed");
                await Task.Delay(50);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                gone = true;
            }
        }

        gone.Should().BeTrue();
        _api.Get("v1", "ConfigMap", "doomed", "inside").Should().BeNull();
    }
}
