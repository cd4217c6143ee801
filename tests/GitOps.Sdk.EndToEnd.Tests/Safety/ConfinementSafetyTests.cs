using GitOps.Sdk.Hosting;
using GitOps.Sdk.Planning;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.EndToEnd.Tests.Safety;

/// <summary>
/// Confinement (issue 14, items 5 and 8): a repository may only reach the namespaces and cluster-scoped kinds its
/// application allows; a revision with one object outside the policy is refused as a whole. Real Git (git daemon),
/// the real Reconciler and the real KubernetesClient against the emulator over HTTP; live state is checked object by object.
/// </summary>
public sealed class ConfinementSafetyTests
{
    private const string Escape = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: s05-escape
          namespace: kube-system
        data:
          owned: "by a repository that should only reach demo"
        """;

    private const string ClusterAdmin = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata:
          name: s05-root
        roleRef:
          apiGroup: rbac.authorization.k8s.io
          kind: ClusterRole
          name: cluster-admin
        subjects:
          - kind: ServiceAccount
            name: default
            namespace: demo
        """;

    private const string Reader = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: s05-reader
        rules:
          - apiGroups: [""]
            resources: ["configmaps"]
            verbs: ["get"]
        """;

    [Fact]
    public async Task NamespaceEscapeAndClusterAdminBinding_RefuseTheWholeRevision_NothingApplied()
    {
        await using var env = await EndToEndEnvironment.CreateAsync();
        env.Repo.Write("deploy/escape.yaml", Escape);
        env.Repo.Write("deploy/rbac.yaml", ClusterAdmin);
        var sha = await env.Repo.CommitAndPushAsync("a repository that tries to leave its namespace");

        await env.StartAsync();

        var result = env.Completed[0];
        result.Outcome.Should().Be(ReconcileOutcome.Failed);
        var status = env.Controller.GetStatus(EndToEndEnvironment.App)!;
        status.LastErrorStage.Should().Be(ReconcileStage.Plan);
        status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Should().BeEquivalentTo(new { Status = ConditionStatus.False, Reason = "ConfinementViolation" });
        status.Is(ConditionTypes.Stalled).Should().BeTrue();
        status.LastError.Should().Contain(sha)
            .And.Contain("deploy/escape.yaml#0").And.Contain("/ConfigMap/kube-system/s05-escape").And.Contain(ConfinementRules.AllowedNamespaces)
            .And.Contain("deploy/rbac.yaml#0").And.Contain("ClusterRoleBinding").And.Contain(ConfinementRules.ClusterAdminBinding);

        // Nothing of the revision reached the cluster, not even the objects that were allowed.
        env.Exists("v1", "ConfigMap", "s05-escape", "kube-system").Should().BeFalse();
        env.Exists("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "s05-root", null).Should().BeFalse();
        env.Exists("v1", "Namespace", "demo", null).Should().BeFalse();
        env.Exists("apps/v1", "Deployment", "web").Should().BeFalse();
        env.Exists("v1", "Service", "web").Should().BeFalse();
        env.Exists("v1", "ConfigMap", "web-settings").Should().BeFalse();
        (await env.Host.Services.GetRequiredService<IInventoryStore>().GetAsync(EndToEndEnvironment.App, default)).Should().BeNull("a refused revision records nothing");
    }

    [Fact]
    public async Task ViolationAfterAGoodRevision_AppliesNothing_PrunesNothing_NextGoodCommitRecovers()
    {
        await using var env = await EndToEndEnvironment.CreateAsync();
        await env.StartAsync();
        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Applied, env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);

        env.Repo.Delete("deploy/service.yaml");
        env.Repo.Write("deploy/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-settings\ndata:\n  GREETING: \"changed\"\n");
        env.Repo.Write("deploy/reader.yaml", Reader);
        var bad = await env.PushAsync("prune the service, change the greeting, add a ClusterRole");

        var refused = env.Completed[^1];
        refused.Outcome.Should().Be(ReconcileOutcome.Failed);
        env.Exists("v1", "Service", "web").Should().BeTrue("a refused revision prunes nothing");
        env.ConfigValue().Should().Be("Hello from Git", "a refused revision applies nothing");
        env.Exists("rbac.authorization.k8s.io/v1", "ClusterRole", "s05-reader", null).Should().BeFalse();
        env.Exists("v1", "Namespace", "demo", null).Should().BeTrue();
        env.Exists("apps/v1", "Deployment", "web").Should().BeTrue();
        var status = env.Controller.GetStatus(EndToEndEnvironment.App)!;
        status.LastError.Should().Contain(bad).And.Contain("deploy/reader.yaml#0").And.Contain("ClusterRole.rbac.authorization.k8s.io").And.Contain(ConfinementRules.AllowedClusterKinds);
        status.Conditions.Single(c => c.Type == ConditionTypes.Ready).Reason.Should().Be("ConfinementViolation");
        var inventory = await env.Host.Services.GetRequiredService<IInventoryStore>().GetAsync(EndToEndEnvironment.App, default);
        inventory!.Entries.Select(e => e.Key.Kind).Should().BeEquivalentTo(["Namespace", "ConfigMap", "Deployment", "Service"]);

        env.Repo.Delete("deploy/reader.yaml");
        await env.PushAsync("drop the ClusterRole");

        env.Completed[^1].Outcome.Should().Be(ReconcileOutcome.Applied);
        env.Exists("v1", "Service", "web").Should().BeFalse();
        env.ConfigValue().Should().Be("changed");
    }

    [Fact]
    public async Task AllowedByApplicationAndHostOptions_Applied()
    {
        await using var env = await EndToEndEnvironment.CreateAsync(
            app: a => a with
            {
                AllowedNamespaces = [EndToEndEnvironment.Namespace, "side-*"],
                AllowClusterAdminBindings = true,
                AllowedClusterKinds = ["ClusterRoleBinding.rbac.authorization.k8s.io"],
            },
            builder: b => b.Services.Configure<GitOpsOptions>(o => o.AllowedClusterKinds.Add("ClusterRole.rbac.authorization.k8s.io")));
        env.Repo.Write("deploy/side.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: side-a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: side\n  namespace: side-a\n");
        env.Repo.Write("deploy/rbac.yaml", ClusterAdmin + "\n---\n" + Reader);
        await env.Repo.CommitAndPushAsync("objects the options allow");

        await env.StartAsync();

        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Applied, env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError);
        env.Exists("v1", "Namespace", "side-a", null).Should().BeTrue("a Namespace named after an allowed namespace needs no cluster-kind entry");
        env.Exists("v1", "ConfigMap", "side", "side-a").Should().BeTrue();
        env.Exists("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "s05-root", null).Should().BeTrue();
        env.Exists("rbac.authorization.k8s.io/v1", "ClusterRole", "s05-reader", null).Should().BeTrue("the host allows ClusterRoles for every application");
        env.Exists("apps/v1", "Deployment", "web").Should().BeTrue();
    }

    [Fact]
    public async Task HostDeniedKind_RefusedEvenWhenTheApplicationAllowsIt()
    {
        await using var env = await EndToEndEnvironment.CreateAsync(
            app: a => a with { AllowedClusterKinds = ["*"] },
            builder: b => b.Services.Configure<GitOpsOptions>(o => o.DeniedKinds.Add("*.rbac.authorization.k8s.io")));
        env.Repo.Write("deploy/reader.yaml", Reader);
        await env.Repo.CommitAndPushAsync("a ClusterRole the host denies");

        await env.StartAsync();

        env.Completed[0].Outcome.Should().Be(ReconcileOutcome.Failed);
        env.Controller.GetStatus(EndToEndEnvironment.App)!.LastError.Should().Contain("deploy/reader.yaml#0").And.Contain(ConfinementRules.DeniedKinds).And.Contain("*.rbac.authorization.k8s.io");
        env.Exists("rbac.authorization.k8s.io/v1", "ClusterRole", "s05-reader", null).Should().BeFalse();
        env.Exists("v1", "Namespace", "demo", null).Should().BeFalse();
        env.Exists("apps/v1", "Deployment", "web").Should().BeFalse();
    }
}
