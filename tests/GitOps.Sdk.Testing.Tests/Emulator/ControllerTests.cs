using System.Text.Json.Nodes;

namespace GitOps.Sdk.Testing.Tests.Emulator;

/// <summary>
/// Defaulting and built-in controllers a real cluster runs, found missing by comparing held-out objects with what a real
/// server stored: the deprecated <c>serviceAccount</c> alias and the ClusterRole aggregation controller.
/// </summary>
public sealed class ControllerTests : IAsyncLifetime
{
    private KubeApiEmulator _api = null!;

    public async Task InitializeAsync() => _api = await KubeApiEmulator.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Apply_DeploymentWithInitContainersAndSidecar_StoresServiceAccountAliasAndContainerDefaults()
    {
        var stored = await _api.ApplyAsAsync("gitops-sdk", """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  serviceAccountName: web-runner
                  initContainers:
                    - name: migrate
                      image: registry.example.com/web/migrate:1.2
                      args: [--up]
                    - name: proxy
                      image: registry.example.com/mesh/proxy:latest
                      restartPolicy: Always
                  containers:
                    - name: app
                      image: registry.example.com/web/app:3.0
                    - name: log-shipper
                      image: registry.example.com/infra/log-shipper
            """);

        var pod = stored["spec"]!["template"]!["spec"]!;
        ((string?)pod["serviceAccountName"]).Should().Be("web-runner");
        ((string?)pod["serviceAccount"]).Should().Be("web-runner", "a real server copies serviceAccountName into the deprecated serviceAccount");
        var migrate = pod["initContainers"]![0]!;
        ((string?)migrate["imagePullPolicy"]).Should().Be("IfNotPresent");
        ((string?)migrate["terminationMessagePath"]).Should().Be("/dev/termination-log");
        ((string?)migrate["terminationMessagePolicy"]).Should().Be("File");
        ((string?)pod["initContainers"]![1]!["imagePullPolicy"]).Should().Be("Always", "the tag is latest");
        ((string?)pod["containers"]![1]!["imagePullPolicy"]).Should().Be("Always", "no tag means latest");
        var managed = stored["metadata"]!["managedFields"]!.AsArray().Single(m => (string?)m!["manager"] == "gitops-sdk")!;
        managed["fieldsV1"]!["f:spec"]!["f:template"]!["f:spec"]!.AsObject().ContainsKey("f:serviceAccount")
            .Should().BeFalse("the alias is filled by the server, not owned by the applier");
    }

    [Fact]
    public async Task Create_PodWithOnlyTheDeprecatedServiceAccount_FillsServiceAccountName()
    {
        var stored = await _api.CreateAsync("""
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: default}
            spec:
              serviceAccount: legacy
              containers: [{name: c, image: busybox:1.36}]
            """);

        ((string?)stored["spec"]!["serviceAccountName"]).Should().Be("legacy");
        ((string?)stored["spec"]!["serviceAccount"]).Should().Be("legacy");
    }

    [Fact]
    public async Task Apply_AggregatedClusterRole_RulesFollowTheSelectedRolesAsTheyChange()
    {
        var aggregated = await _api.ApplyAsAsync("gitops-sdk", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: monitoring}
            aggregationRule:
              clusterRoleSelectors:
                - matchLabels: {example.com/aggregate-to-monitoring: "true"}
            """);
        aggregated["rules"].Should().BeNull();
        aggregated.AsObject().ContainsKey("rules").Should().BeTrue("rules has no omitempty: an empty aggregated role serializes rules: null");

        await _api.ApplyAsAsync("gitops-sdk", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: monitoring-pods
              labels: {example.com/aggregate-to-monitoring: "true"}
            rules:
              - apiGroups: [""]
                resources: [pods]
                verbs: [get, list, watch]
            """);
        await _api.ApplyAsAsync("gitops-sdk", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: monitoring-endpoints
              labels: {example.com/aggregate-to-monitoring: "true"}
            rules:
              - apiGroups: [""]
                resources: [endpoints]
                verbs: [get, list, watch]
              - apiGroups: [""]
                resources: [pods]
                verbs: [get, list, watch]
            """);
        await _api.ApplyAsAsync("gitops-sdk", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: unrelated
              labels: {example.com/aggregate-to-admin: "true"}
            rules:
              - apiGroups: [apps]
                resources: [deployments]
                verbs: ["*"]
            """);

        // Selected roles in name order, duplicates once.
        Resources().Should().Equal("endpoints", "pods");
        var role = _api.Get("rbac.authorization.k8s.io/v1", "ClusterRole", null, "monitoring")!;
        var controller = role["metadata"]!["managedFields"]!.AsArray().Single(m => (string?)m!["manager"] == "kube-controller-manager")!;
        ((string?)controller["operation"]).Should().Be("Update");
        controller["fieldsV1"]!.ToJsonString().Should().Be("""{"f:rules":{}}""");

        await _api.ApplyAsAsync("gitops-sdk", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: monitoring-pods
              labels: {example.com/aggregate-to-monitoring: "true"}
            rules:
              - apiGroups: [""]
                resources: [services]
                verbs: [get]
            """);
        Resources().Should().Equal("endpoints", "pods", "services");

        await _api.MutateAsync("rbac.authorization.k8s.io/v1", "ClusterRole", null, "monitoring-endpoints",
            r => r["metadata"]!["labels"] = new JsonObject { ["example.com/aggregate-to-monitoring"] = "false" });
        Resources().Should().Equal("services");

        await _api.DeleteAsync("rbac.authorization.k8s.io/v1", "ClusterRole", null, "monitoring-pods");
        _api.Get("rbac.authorization.k8s.io/v1", "ClusterRole", null, "monitoring")!["rules"].Should().BeNull();
    }

    private List<string> Resources() =>
        [.. (_api.Get("rbac.authorization.k8s.io/v1", "ClusterRole", null, "monitoring")!["rules"] as JsonArray ?? [])
            .Select(r => (string)r!["resources"]![0]!)];
}
