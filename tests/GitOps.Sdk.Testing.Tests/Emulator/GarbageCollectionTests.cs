using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>
/// Deletion propagation over ownerReferences as the API server and its garbage collector do it (Kubernetes docs,
/// "Garbage Collection" and "Use Cascading Deletion"): background deletes the owner at once and then the dependents;
/// foreground keeps the owner (deletionTimestamp, <c>foregroundDeletion</c> finalizer) until no dependent with
/// <c>blockOwnerDeletion</c> is left; orphan (the default for batch/v1 Jobs) adds the <c>orphan</c> finalizer and strips
/// the dependents' references before the owner goes.
/// </summary>
public sealed class GarbageCollectionTests : IAsyncLifetime
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
    public async Task Delete_DeploymentWithDefaultPropagation_RemovesItsReplicaSetsAndTheirPods()
    {
        var deployment = await CreateDeploymentAsync("web");
        var rs = await CreateReplicaSetAsync("web-1", deployment, block: true);
        await CreatePodAsync("web-1-a", "ReplicaSet", "apps/v1", rs);

        using var response = await _http.DeleteAsync(new Uri("/apis/apps/v1/namespaces/default/deployments/web", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        ((string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["kind"]).Should().Be("Status");
        _api.Get("apps/v1", "Deployment", "default", "web").Should().BeNull();
        _api.Get("apps/v1", "ReplicaSet", "default", "web-1").Should().BeNull("the garbage collector deletes dependents in the background");
        _api.Get("v1", "Pod", "default", "web-1-a").Should().BeNull("and their dependents in turn");
    }

    [Fact]
    public async Task Delete_Foreground_KeepsTheOwnerUntilBlockingDependentsAreGone()
    {
        var deployment = await CreateDeploymentAsync("fg");
        await CreateReplicaSetAsync("fg-1", deployment, block: true, finalizer: "example.com/hold");
        await CreateReplicaSetAsync("fg-2", deployment, block: false, finalizer: "example.com/hold");

        var marked = await DeleteAsync("/apis/apps/v1/namespaces/default/deployments/fg", "Foreground");

        marked.Status.Should().Be(HttpStatusCode.OK);
        ((string?)marked.Body["kind"]).Should().Be("Deployment", "a pending deletion answers with the object");
        marked.Body["metadata"]!["deletionTimestamp"].Should().NotBeNull();
        Finalizers(marked.Body).Should().Equal("foregroundDeletion");
        var owner = _api.Get("apps/v1", "Deployment", "default", "fg")!;
        Finalizers(owner).Should().Equal("foregroundDeletion");
        _api.Get("apps/v1", "ReplicaSet", "default", "fg-1")!["metadata"]!["deletionTimestamp"].Should().NotBeNull("dependents are deleted first");

        await ReleaseAsync("fg-1");

        _api.Get("apps/v1", "ReplicaSet", "default", "fg-1").Should().BeNull();
        _api.Get("apps/v1", "Deployment", "default", "fg").Should().BeNull("the last blocking dependent is gone");
        _api.Get("apps/v1", "ReplicaSet", "default", "fg-2")!["metadata"]!["deletionTimestamp"].Should()
            .NotBeNull("a dependent without blockOwnerDeletion is deleted too but does not hold the owner");
    }

    [Fact]
    public async Task Delete_Orphan_StripsTheDependentsReferencesAndKeepsThem()
    {
        var deployment = await CreateDeploymentAsync("or");
        await CreateReplicaSetAsync("or-1", deployment, block: true);

        var marked = await DeleteAsync("/apis/apps/v1/namespaces/default/deployments/or", "Orphan");

        marked.Status.Should().Be(HttpStatusCode.OK);
        Finalizers(marked.Body).Should().Equal("orphan");
        _api.Get("apps/v1", "Deployment", "default", "or").Should().BeNull("the orphan finalizer goes once the dependents are released");
        var rs = _api.Get("apps/v1", "ReplicaSet", "default", "or-1")!;
        rs["metadata"]!["ownerReferences"].Should().BeNull();
    }

    [Fact]
    public async Task Delete_JobWithoutPropagationPolicy_OrphansItsPodsLikeBatchV1()
    {
        var job = await _api.CreateAsync("""
            apiVersion: batch/v1
            kind: Job
            metadata: {name: migrate, namespace: default}
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: m, image: busybox:1.36}]
            """);
        await CreatePodAsync("migrate-abc", "Job", "batch/v1", job);

        using var response = await _http.DeleteAsync(new Uri("/apis/batch/v1/namespaces/default/jobs/migrate", UriKind.Relative));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        _api.Get("batch/v1", "Job", "default", "migrate").Should().BeNull();
        _api.Get("v1", "Pod", "default", "migrate-abc")!["metadata"]!["ownerReferences"].Should().BeNull();
    }

    [Fact]
    public async Task Delete_Background_DependentWithAnotherLiveOwnerOnlyLosesTheReference()
    {
        var first = await CreateDeploymentAsync("a");
        var second = await CreateDeploymentAsync("b");
        await _api.CreateAsync(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject
            {
                ["name"] = "shared",
                ["namespace"] = "default",
                ["ownerReferences"] = new JsonArray(Reference("Deployment", "apps/v1", first, false), Reference("Deployment", "apps/v1", second, false)),
            },
        }.ToJsonString());

        await DeleteAsync("/apis/apps/v1/namespaces/default/deployments/a", "Background");

        var shared = _api.Get("v1", "ConfigMap", "default", "shared")!;
        shared["metadata"]!["ownerReferences"]!.AsArray().Select(o => (string?)o!["name"]).Should().Equal("b");
        await DeleteAsync("/apis/apps/v1/namespaces/default/deployments/b", "Background");
        _api.Get("v1", "ConfigMap", "default", "shared").Should().BeNull();
    }

    private async Task<string> OwnerWithDependentAsync(string name)
    {
        var owner = await _api.CreateAsync($"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}, namespace: default}}\n");
        var uid = (string)owner["metadata"]!["uid"]!;
        await _api.CreateAsync($"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}-dep\n  namespace: default\n  ownerReferences:\n  - {{apiVersion: v1, kind: ConfigMap, name: {name}, uid: {uid}}}\n");
        return uid;
    }

    [Theory]
    [InlineData("Background", false)]
    [InlineData("Foreground", false)]
    [InlineData("Orphan", true)]
    public async Task Delete_Owner_DependentsFollowThePropagationPolicy(string policy, bool dependentKept)
    {
        var name = "owner-" + policy.ToLowerInvariant();
        await OwnerWithDependentAsync(name);
        using var response = await _http.DeleteAsync($"/api/v1/namespaces/default/configmaps/{name}?propagationPolicy={policy}");
        response.IsSuccessStatusCode.Should().BeTrue();
        _api.Get("v1", "ConfigMap", "default", name).Should().BeNull();
        (_api.Get("v1", "Secret", "default", name + "-dep") is not null).Should().Be(dependentKept);
    }

    [Fact]
    public async Task Delete_PersistentVolumeClaim_ProtectionFinalizerIsReleased()
    {
        await _api.ApplyAsAsync("gitops-sdk", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: default}\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n");
        _api.Get("v1", "PersistentVolumeClaim", "default", "data")!["metadata"]!["finalizers"]![0]!.GetValue<string>().Should().Be("kubernetes.io/pvc-protection");
        (await _api.DeleteAsync("v1", "PersistentVolumeClaim", "default", "data")).Should().BeTrue();
        _api.Get("v1", "PersistentVolumeClaim", "default", "data").Should().BeNull();
    }

    private static List<string> Finalizers(JsonNode obj) =>
        [.. (obj["metadata"]?["finalizers"] as JsonArray ?? []).Select(f => (string)f!)];

    private static JsonObject Reference(string kind, string apiVersion, JsonObject owner, bool block) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["name"] = owner["metadata"]!["name"]!.DeepClone(),
        ["uid"] = owner["metadata"]!["uid"]!.DeepClone(),
        ["controller"] = true,
        ["blockOwnerDeletion"] = block,
    };

    private Task<JsonObject> CreateDeploymentAsync(string name) => _api.CreateAsync($"""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
          namespace: default
        spec:
          selector:
            matchLabels:
              app: {name}
          template:
            metadata:
              labels:
                app: {name}
            spec:
              containers:
                - name: c
                  image: nginx:1.27
        """);

    private Task<JsonObject> CreateReplicaSetAsync(string name, JsonObject owner, bool block, string? finalizer = null)
    {
        var meta = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = "default",
            ["labels"] = new JsonObject { ["app"] = name },
            ["ownerReferences"] = new JsonArray(Reference("Deployment", "apps/v1", owner, block)),
        };
        if (finalizer is not null)
        {
            meta["finalizers"] = new JsonArray(finalizer);
        }

        return _api.CreateAsync(new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["metadata"] = meta,
            ["spec"] = JsonNode.Parse("{\"selector\":{\"matchLabels\":{\"app\":\"" + name + "\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"" + name
                + "\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx:1.27\"}]}}}"),
        }.ToJsonString());
    }

    private Task<JsonObject> CreatePodAsync(string name, string ownerKind, string ownerApiVersion, JsonObject owner) => _api.CreateAsync(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = "default",
            ["ownerReferences"] = new JsonArray(Reference(ownerKind, ownerApiVersion, owner, true)),
        },
        ["spec"] = JsonNode.Parse("""{"containers":[{"name":"c","image":"busybox:1.36"}]}"""),
    }.ToJsonString());

    private async Task<(HttpStatusCode Status, JsonNode Body)> DeleteAsync(string path, string propagation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, path)
        {
            Content = new StringContent("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"" + propagation + "\"}", Encoding.UTF8, "application/json"),
        };
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private Task ReleaseAsync(string replicaSet) =>
        _api.MutateAsync("apps/v1", "ReplicaSet", "default", replicaSet, r => ((JsonObject)r["metadata"]!).Remove("finalizers"));
}

/// <summary>The state folder: a change log replayed over the snapshot, a torn last line ignored.</summary>
public sealed class StatePersistenceTests
{
    [Fact]
    public async Task Start_WithChangeLogEndingInATornLine_ReplaysTheCompleteLinesOnly()
    {
        using var dir = new GitOps.Sdk.TestUtilities.TempDirectory();
        var state = Path.Combine(dir.Path, "state");
        await using (var first = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions { StateDirectory = state }))
        {
            await first.ApplyAsAsync("gitops-sdk", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: base, namespace: default}\ndata: {k: v}\n");
        }

        // What a SIGKILL leaves: complete lines for answered writes, half a line for the write it interrupted.
        var log = Path.Combine(state, "changes.jsonl");
        File.ReadAllText(log).Should().BeEmpty("stopping folds the log into the snapshot");
        var complete = """{"op":"put","key":"/configmaps","rv":900,"object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"logged","namespace":"default","uid":"u1","resourceVersion":"900","creationTimestamp":"2026-12-02T00:00:00Z"},"data":{"a":"b"}}}""";
        var removal = """{"op":"delete","key":"/configmaps","rv":901,"object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"base","namespace":"default","resourceVersion":"901"}}}""";
        File.WriteAllText(log, complete + "\n" + removal + "\n" + """{"op":"put","key":"/configmaps","rv":902,"object":{"kind":"Conf""");

        await using var second = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions { StateDirectory = state });
        second.Get("v1", "ConfigMap", "default", "logged").Should().NotBeNull();
        second.Get("v1", "ConfigMap", "default", "base").Should().BeNull();
        second.ResourceVersion.Should().BeGreaterThanOrEqualTo(901);
    }
}
