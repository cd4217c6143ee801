using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Sdk.Events;
using GitOps.Sdk.Kubernetes.Applications;
using GitOps.Sdk.Testing;
using GitOps.Sdk.TestUtilities;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace GitOps.Sdk.EndToEnd.Tests;

/// <summary>
/// <c>GitOpsApplication</c> custom resources on the real engine: the engine installs the CRD in the emulator (over
/// HTTP), the resources are created, changed and deleted with the real KubernetesClient, the application's objects come
/// from a git daemon, and the status is read back through the status subresource and the real <c>kubectl get</c>.
/// </summary>
public sealed class CustomResourceEndToEndTests
{
    private const string Extra = "extra";
    private const string Source = GitOpsApplicationResource.Plural;

    [Fact]
    public async Task GitOpsApplication_CreatedChangedDeleted_IsReconciledAndReportsItsStatus()
    {
        await using var env = await EndToEndEnvironment.CreateAsync(builder: b => b.AddKubernetesApplications(o => o.InstallCrd = true));
        var sha = await CommitExtraAsync(env);
        await env.StartAsync();
        using var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(env.Api.KubeconfigPath));

        await CreateAsync(client, Extra, new JsonObject
        {
            ["source"] = new JsonObject { ["url"] = env.SourceUrl, ["ref"] = "main" },
            ["path"] = "extra",
            ["interval"] = "1h",
            ["minRetryDelay"] = "1h",
            ["maxRetryDelay"] = "1h",
        });
        await EndToEndEnvironment.WaitUntilAsync(() => env.Exists("v1", "ConfigMap", "extra-settings"), "the GitOpsApplication's ConfigMap was applied");
        Label("extra-settings", WellKnown.ApplicationLabel).Should().Be(Extra);
        env.EventsOf<ApplicationAdded>().Should().ContainSingle().Which.Source.Should().Be(Source);
        await EndToEndEnvironment.WaitUntilAsync(() => Condition(env, Extra, "Ready")?["status"]?.ToString() == "True", "the resource's status says Ready");

        // Read through the status subresource with the real client, as a controller's user would.
        var status = ((JsonElement)await client.CustomObjects.GetNamespacedCustomObjectStatusAsync(GitOpsApplicationResource.Group, GitOpsApplicationResource.Version, EndToEndEnvironment.Namespace, GitOpsApplicationResource.Plural, Extra)).GetProperty("status");
        status.GetProperty("observedGeneration").GetInt64().Should().Be(1);
        status.GetProperty("lastAppliedRevision").GetString().Should().Contain(sha);
        status.GetProperty("inventory").GetProperty("total").GetInt32().Should().Be(1);
        status.GetProperty("sync").GetString().Should().Be("Synced");
        var types = status.GetProperty("conditions").EnumerateArray().Select(static c => c.GetProperty("type").GetString()).ToArray();
        types.Should().StartWith(["Ready", "Reconciling", "Stalled"]);
        Condition(env, Extra, "Stalled")!["status"]!.ToString().Should().Be("False");
        Condition(env, Extra, "Ready")!["observedGeneration"]!.ToJsonString().Should().Be("1");

        // kubectl shows the same state in its columns.
        var table = await KubectlGetAsync(env);
        var header = table.Split('\n')[0];
        header.Should().ContainAll("NAME", "READY", "STATUS", "REVISION", "OBJECTS", "AGE");
        table.Split('\n').Should().Contain(l => l.StartsWith(Extra + " ", StringComparison.Ordinal) && l.Contains("True", StringComparison.Ordinal) && l.Contains(sha, StringComparison.Ordinal));

        // A changed spec changes the application.
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec":{"commonLabels":{"team":"blue"}}}""", V1Patch.PatchType.MergePatch),
            GitOpsApplicationResource.Group, GitOpsApplicationResource.Version, EndToEndEnvironment.Namespace, GitOpsApplicationResource.Plural, Extra);
        await EndToEndEnvironment.WaitUntilAsync(() => Label("extra-settings", "team") == "blue", "the changed spec was applied");
        env.EventsOf<ApplicationChanged>().Should().ContainSingle().Which.Application.Should().Be(Extra);
        await EndToEndEnvironment.WaitUntilAsync(
            () => StatusOf(env, Extra)?["observedGeneration"]?.ToJsonString() == "2" && Condition(env, Extra, "Ready")?["status"]?.ToString() == "True",
            "the status observed generation 2 and is Ready");

        // Deleting the resource removes the application and prunes nothing.
        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(GitOpsApplicationResource.Group, GitOpsApplicationResource.Version, EndToEndEnvironment.Namespace, GitOpsApplicationResource.Plural, Extra);
        await EndToEndEnvironment.WaitUntilAsync(() => env.EventsOf<ApplicationRemoved>().Count > 0, "the deleted resource's application was removed");
        env.EventsOf<ApplicationRemoved>().Should().ContainSingle().Which.Application.Should().Be(Extra);
        env.Controller.GetStatus(Extra).Should().BeNull();
        env.Exists("v1", "ConfigMap", "extra-settings").Should().BeTrue("removing an application prunes nothing");
        env.EventsOf<Pruned>().Should().BeEmpty();
        env.Controller.Applications.Should().Equal(EndToEndEnvironment.App);

        string? Label(string name, string label) => (string?)env.Api.Get("v1", "ConfigMap", EndToEndEnvironment.Namespace, name)?["metadata"]?["labels"]?[label];
    }

    [Fact]
    public async Task GitOpsApplication_InvalidOrNameTaken_IsStalledWithTheReasonAndOthersKeepRunning()
    {
        await using var env = await EndToEndEnvironment.CreateAsync(builder: b => b.AddKubernetesApplications(o => o.InstallCrd = true));
        await CommitExtraAsync(env);
        await env.StartAsync();
        using var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(env.Api.KubeconfigPath));
        var storefrontRevision = env.Controller.GetStatus(EndToEndEnvironment.App)!.LastAppliedRevision;

        // A value that does not parse, a namespace outside the resource's own, and a name the configuration already has.
        await CreateAsync(client, "broken", new JsonObject { ["source"] = new JsonObject { ["url"] = env.SourceUrl }, ["path"] = "extra", ["interval"] = "banana" });
        await CreateAsync(client, "elsewhere", new JsonObject { ["source"] = new JsonObject { ["url"] = env.SourceUrl }, ["path"] = "extra", ["namespace"] = "kube-system" });
        await CreateAsync(client, EndToEndEnvironment.App, new JsonObject { ["source"] = new JsonObject { ["url"] = env.SourceUrl }, ["path"] = "extra" });

        await EndToEndEnvironment.WaitUntilAsync(() => Condition(env, "broken", "Stalled")?["status"]?.ToString() == "True", "the invalid resource is Stalled");
        Condition(env, "broken", "Stalled")!["message"]!.ToString().Should().Contain("Interval: 'banana' is not a duration");
        Condition(env, "broken", "Ready")!["status"]!.ToString().Should().Be("False");
        Condition(env, "broken", "Ready")!["reason"]!.ToString().Should().Be("InvalidSpec");

        await EndToEndEnvironment.WaitUntilAsync(() => Condition(env, "elsewhere", "Stalled")?["status"]?.ToString() == "True", "the resource aimed at another namespace is Stalled");
        Condition(env, "elsewhere", "Stalled")!["message"]!.ToString().Should().Contain("spec.namespace 'kube-system' is refused").And.Contain("PrivilegedNamespaces");

        await EndToEndEnvironment.WaitUntilAsync(() => Condition(env, EndToEndEnvironment.App, "Stalled")?["status"]?.ToString() == "True", "the resource whose name the configuration has is Stalled");
        Condition(env, EndToEndEnvironment.App, "Ready")!["reason"]!.ToString().Should().Be("Refused");
        Condition(env, EndToEndEnvironment.App, "Stalled")!["message"]!.ToString().Should().Contain("source 'options' provides an application named 'storefront' too");
        StatusOf(env, EndToEndEnvironment.App)!["lastAppliedRevision"].Should().BeNull("the configuration's application is not this resource's");

        // Each refusal is loud: an ApplicationRefused event from this source.
        var refused = env.EventsOf<ApplicationRefused>().Where(static r => r.Source == Source).ToArray();
        refused.Select(static r => r.Application).Should().BeEquivalentTo(["broken", "elsewhere", EndToEndEnvironment.App]);
        refused.Single(static r => r.Application == EndToEndEnvironment.App).OtherSource.Should().Be("options");
        env.Controller.Applications.Should().Equal(EndToEndEnvironment.App);
        env.Controller.GetDefinition(EndToEndEnvironment.App)!.Path.Should().Be("deploy", "the configuration keeps its application");
        env.Controller.GetStatus(EndToEndEnvironment.App)!.LastAppliedRevision.Should().Be(storefrontRevision);
        env.Exists("v1", "ConfigMap", "extra-settings").Should().BeFalse("no refused resource applied anything");

        // Fixing the spec lets it run.
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec":{"interval":"1h"}}""", V1Patch.PatchType.MergePatch),
            GitOpsApplicationResource.Group, GitOpsApplicationResource.Version, EndToEndEnvironment.Namespace, GitOpsApplicationResource.Plural, "broken");
        await EndToEndEnvironment.WaitUntilAsync(() => Condition(env, "broken", "Ready")?["status"]?.ToString() == "True", "the fixed resource is Ready");
        Condition(env, "broken", "Stalled")!["status"]!.ToString().Should().Be("False");
        env.Exists("v1", "ConfigMap", "extra-settings").Should().BeTrue();

        var table = await KubectlGetAsync(env);
        table.Split('\n').Should().Contain(l => l.StartsWith("elsewhere ", StringComparison.Ordinal) && l.Contains("False", StringComparison.Ordinal) && l.Contains("InvalidSpec", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GitOpsApplication_StatusUnchanged_IsNotWrittenAgain()
    {
        await using var env = await EndToEndEnvironment.CreateAsync(builder: b => b.AddKubernetesApplications(o => o.InstallCrd = true));
        await CommitExtraAsync(env);
        await env.StartAsync();
        using var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(env.Api.KubeconfigPath));
        await CreateAsync(client, Extra, new JsonObject { ["source"] = new JsonObject { ["url"] = env.SourceUrl }, ["path"] = "extra", ["interval"] = "1h" });
        await EndToEndEnvironment.WaitUntilAsync(() => Condition(env, Extra, "Ready")?["status"]?.ToString() == "True", "the resource is Ready");
        var writer = env.Host.Services.GetRequiredService<GitOpsApplicationStatusWriter>();
        var source = env.Host.Services.GetRequiredService<GitOpsApplicationSource>();

        // Settle first: the application healthy and the writer through every event seen so far, so the baseline holds its last write.
        await EndToEndEnvironment.WaitUntilAsync(() => env.Controller.GetStatus(Extra)?.Health?.Status == GitOps.Sdk.HealthStatus.Healthy, "the application is healthy");
        var settled = writer.EventsSeen;
        await EndToEndEnvironment.WaitUntilAsync(() => writer.EventsHandled >= settled, "the writer made a pass after the events so far");
        var resourceVersion = (string?)env.Api.Get(GitOpsApplicationResource.ApiVersion, GitOpsApplicationResource.Kind, EndToEndEnvironment.Namespace, Extra)!["metadata"]!["resourceVersion"];
        var writes = writer.Writes;

        // Another application's reconcile publishes events (each makes the writer look again) and changes no status of this one.
        (await env.Controller.ReconcileAsync(EndToEndEnvironment.App, CancellationToken.None)).Outcome.Should().NotBe(Status.ReconcileOutcome.Failed);
        var seen = writer.EventsSeen;
        await EndToEndEnvironment.WaitUntilAsync(() => writer.EventsHandled >= seen, "the writer made a pass after the events of that reconcile");

        // A change of the resource's metadata (no new generation) makes the source read the resources again, and changes no status.
        var reads = source.Reads;
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"metadata":{"labels":{"team":"blue"}}}""", V1Patch.PatchType.MergePatch),
            GitOpsApplicationResource.Group, GitOpsApplicationResource.Version, EndToEndEnvironment.Namespace, GitOpsApplicationResource.Plural, Extra);
        await EndToEndEnvironment.WaitUntilAsync(() => source.Reads > reads, "the source read the changed resource");
        var read = source.Reads;
        await EndToEndEnvironment.WaitUntilAsync(() => writer.ReadsHandled >= read, "the writer made a pass after that read");

        writer.Writes.Should().Be(writes);
        var after = env.Api.Get(GitOpsApplicationResource.ApiVersion, GitOpsApplicationResource.Kind, EndToEndEnvironment.Namespace, Extra)!;
        after["metadata"]!["generation"]!.ToJsonString().Should().Be("1");
        ((string?)after["metadata"]!["resourceVersion"]).Should().NotBe(resourceVersion, "the label changed it");
        after["metadata"]!["managedFields"]!.AsArray().Count(m => (string?)m!["manager"] == "gitops-sdk-applications").Should().Be(1, "one status write, made before");
        env.EventsOf<ApplicationChanged>().Should().BeEmpty("a metadata change is no new definition");
    }

    [Fact]
    public async Task GitOpsApplication_CreatedWhileTheWatchReconnectsAfterCompaction_410GoneRelistsAndItIsReconciled()
    {
        await using var env = await EndToEndEnvironment.CreateAsync(builder: b => b.AddKubernetesApplications(o => o.InstallCrd = true));
        await CommitExtraAsync(env);
        await env.StartAsync();
        using var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(env.Api.KubeconfigPath));
        var source = env.Host.Services.GetRequiredService<GitOpsApplicationSource>();
        await EndToEndEnvironment.WaitUntilAsync(() => source.Reads > 0, "the source watches the resources");
        var lists = env.Api.Faults.Add(new FaultRule { Verb = "list", Resource = GitOpsApplicationResource.Plural });

        // The resources' watch is dropped and its next request held; meanwhile a resource is created and the server
        // forgets the history, so the held watch (resuming from the cache's resourceVersion) is answered 410 Gone.
        var held = env.Api.Faults.Add(new FaultRule { Verb = "watch", Resource = GitOpsApplicationResource.Plural, Delay = TimeSpan.FromSeconds(3), Times = 1 });
        env.Api.DropWatches();
        await EndToEndEnvironment.WaitUntilAsync(() => held.Hits == 1, "the resources' cache asked to watch again");
        var listsBefore = lists.Hits;
        await CreateAsync(client, Extra, new JsonObject { ["source"] = new JsonObject { ["url"] = env.SourceUrl }, ["path"] = "extra", ["interval"] = "1h" });
        env.Api.CompactWatchHistory();

        await EndToEndEnvironment.WaitUntilAsync(() => env.Exists("v1", "ConfigMap", "extra-settings"), "the resource created while the watch reconnected was reconciled");
        lists.Hits.Should().BeGreaterThan(listsBefore, "the cache listed the resources again after 410 Gone");
        await EndToEndEnvironment.WaitUntilAsync(() => Condition(env, Extra, "Ready")?["status"]?.ToString() == "True", "its status says Ready");
    }

    [Fact]
    public async Task KubectlApply_CrdThenGitOpsApplication_TheWaitingSourcePicksItUpAndTheHostReconcilesIt()
    {
        await using var env = await EndToEndEnvironment.CreateAsync(builder: b => b.AddKubernetesApplications());
        var sha = await CommitExtraAsync(env);
        await env.StartAsync();
        var kubectl = TestPaths.RequireTool("kubectl");
        using var temp = new TempDirectory("gitops-crapps");

        // The user installs the shipped definition while the host runs, then applies a resource, both with kubectl.
        var crd = await ProcessRunner.RunAsync(kubectl, ["apply", "--server-side", "-f", Path.Combine(TestPaths.RepositoryRoot, "deploy", "crds", "gitopsapplications.gitops.sdk.io.yaml"), "--kubeconfig", env.Api.KubeconfigPath]);
        crd.ExitCode.Should().Be(0, crd.StandardError);
        await EndToEndEnvironment.WaitUntilAsync(
            () => (env.Api.Get("apiextensions.k8s.io/v1", "CustomResourceDefinition", null, GitOpsApplicationResource.CrdName)?["status"]?["conditions"] as JsonArray)?.Any(c => (string?)c?["type"] == "Established" && (string?)c?["status"] == "True") == true,
            "the definition is Established");
        var file = temp.Combine("extra.yaml");
        await File.WriteAllTextAsync(file, $"""
            apiVersion: gitops.sdk.io/v1alpha1
            kind: GitOpsApplication
            metadata:
              name: extra
              namespace: demo
            spec:
              source:
                url: {env.SourceUrl}
                ref: main
              path: extra
              interval: 1h
            """);
        var apply = await ProcessRunner.RunAsync(kubectl, ["apply", "-f", file, "--kubeconfig", env.Api.KubeconfigPath]);
        apply.ExitCode.Should().Be(0, apply.StandardError);

        await EndToEndEnvironment.WaitUntilAsync(() => env.Exists("v1", "ConfigMap", "extra-settings"), "the applied GitOpsApplication was reconciled");
        await EndToEndEnvironment.WaitUntilAsync(() => Condition(env, Extra, "Ready")?["status"]?.ToString() == "True", "its status says Ready");
        var table = await KubectlGetAsync(env);
        table.Split('\n').Should().Contain(l => l.StartsWith(Extra + " ", StringComparison.Ordinal) && l.Contains("True", StringComparison.Ordinal) && l.Contains(sha, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GitOpsApplication_DuplicateNameTakesOverAfterTheFirstIsDeleted_IsAnotherApplication_NothingOfTheFirstIsPrunedOrAdopted()
    {
        // The new-user trial: team-a's resource deploys a ConfigMap; team-b's resource of the same name is refused as a
        // duplicate; team-a's resource is deleted (nothing is pruned, the docs say). Team-b's resource then gets the name,
        // but it is another application: it must neither inherit team-a's inventory nor prune or adopt its objects.
        await using var env = await EndToEndEnvironment.CreateAsync(builder: b => b.AddKubernetesApplications(o => o.InstallCrd = true));
        await CommitExtraAsync(env);
        await env.StartAsync();
        using var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(env.Api.KubeconfigPath));
        const string TeamA = "team-a", TeamB = "team-b", Name = "team-a-app";
        foreach (var ns in (string[])[TeamA, TeamB])
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        }

        var spec = new JsonObject { ["source"] = new JsonObject { ["url"] = env.SourceUrl, ["ref"] = "main" }, ["path"] = "extra", ["interval"] = "1h", ["minRetryDelay"] = "1h", ["maxRetryDelay"] = "1h" };

        // 1. team-a/team-a-app deploys ConfigMap team-a/extra-settings.
        await CreateAsync(client, Name, spec.DeepClone().AsObject(), TeamA);
        await EndToEndEnvironment.WaitUntilAsync(() => Condition(env, Name, "Ready", TeamA)?["status"]?.ToString() == "True", "team-a's application is Ready");
        env.Exists("v1", "ConfigMap", "extra-settings", TeamA).Should().BeTrue();

        // 2. team-b/team-a-app (same name, other namespace) is refused as a duplicate.
        // (Created in the same second, the namespace decides: team-a's resource is the older one either way.)
        await CreateAsync(client, Name, spec.DeepClone().AsObject(), TeamB);
        await EndToEndEnvironment.WaitUntilAsync(() => Condition(env, Name, "Ready", TeamB)?["reason"]?.ToString() == "DuplicateName", "team-b's resource is DuplicateName");

        // 3. team-a's resource is deleted: its application stops, nothing is pruned.
        var completedBefore = env.Completed.Count(c => c.Application == Name);
        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(GitOpsApplicationResource.Group, GitOpsApplicationResource.Version, TeamA, GitOpsApplicationResource.Plural, Name);

        // 4. team-b's resource takes the name: a new application (removed + added, not changed), reconciled once.
        await EndToEndEnvironment.WaitUntilAsync(() => env.Completed.Count(c => c.Application == Name) > completedBefore, "team-b's application reconciled");
        env.Exists("v1", "ConfigMap", "extra-settings", TeamA).Should().BeTrue("team-b's application does not own team-a's ConfigMap and never prunes it");
        env.EventsOf<Pruned>().Should().BeEmpty();
        env.EventsOf<ApplicationChanged>().Should().BeEmpty("another resource's application is not a changed one");
        env.EventsOf<ApplicationRemoved>().Should().ContainSingle().Which.Application.Should().Be(Name);
        env.EventsOf<ApplicationAdded>().Count(a => a.Application == Name).Should().Be(2);
        Label("extra-settings", TeamA, WellKnown.ApplicationLabel).Should().Be(Name, "the object is left as it was");

        // The refusal is loud: not Synced, naming the object, both owners and the option.
        var status = env.Controller.GetStatus(Name)!;
        status.Sync.Should().NotBe(Status.ApplicationSyncStatus.Synced);
        var refused = env.EventsOf<ObjectsRefused>().Where(e => e.Application == Name).SelectMany(static e => e.Objects).ToArray();
        refused.Should().ContainSingle(r => r.Key.Namespace == TeamA && r.Key.Name == "extra-settings");
        var message = refused.Single(r => r.Key.Namespace == TeamA).Reason;
        message.Should().Contain("ConfigMap").And.Contain("team-a/extra-settings").And.Contain("GitOpsApplication team-a/team-a-app").And.Contain("GitOpsApplication team-b/team-a-app").And.Contain("AllowTakeover");
        await EndToEndEnvironment.WaitUntilAsync(() => Condition(env, Name, "Ready", TeamB)?["reason"]?.ToString() == "OwnershipConflict", "team-b's resource shows the refusal");
        Condition(env, Name, "Ready", TeamB)!["status"]!.ToString().Should().Be("False");
        Condition(env, Name, "Ready", TeamB)!["message"]!.ToString().Should().Contain("team-a/extra-settings").And.Contain("GitOpsApplication team-a/team-a-app");

        // Every later reconcile refuses the same, prunes nothing and leaves team-a's inventory as it is.
        (await env.Controller.ReconcileAsync(Name, CancellationToken.None)).Outcome.Should().Be(Status.ReconcileOutcome.Refused);
        env.Exists("v1", "ConfigMap", "extra-settings", TeamA).Should().BeTrue();
        env.Exists("v1", "ConfigMap", "extra-settings", TeamB).Should().BeFalse("nothing is applied while another owner's objects are recorded");
        InventoryOwner().Should().Be("GitOpsApplication team-a/team-a-app");

        // Once team-a's objects are gone (deleted by a person), team-b's application starts afresh with an inventory of its own.
        await client.CoreV1.DeleteNamespacedConfigMapAsync("extra-settings", TeamA);
        await EndToEndEnvironment.WaitUntilAsync(() => env.Exists("v1", "ConfigMap", "extra-settings", TeamB), "team-b's application applied its own ConfigMap");
        (await env.Controller.ReconcileAsync(Name, CancellationToken.None)).Outcome.Should().Be(Status.ReconcileOutcome.Synced);
        InventoryOwner().Should().Be("GitOpsApplication team-b/team-a-app");
        await EndToEndEnvironment.WaitUntilAsync(() => Condition(env, Name, "Ready", TeamB)?["status"]?.ToString() == "True", "team-b's application is Ready");

        string? InventoryOwner() => (string?)env.Api.Get("v1", "ConfigMap", "gitops-system", Kubernetes.KubernetesInventoryStore.ObjectName(Name))?["data"]?["owner"];

        string? Label(string name, string ns, string label) => (string?)env.Api.Get("v1", "ConfigMap", ns, name)?["metadata"]?["labels"]?[label];
    }

    private static Task CreateAsync(k8s.Kubernetes client, string name, JsonObject spec, string ns = EndToEndEnvironment.Namespace) =>
        client.CustomObjects.CreateNamespacedCustomObjectAsync(
            new JsonObject
            {
                ["apiVersion"] = GitOpsApplicationResource.ApiVersion,
                ["kind"] = GitOpsApplicationResource.Kind,
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
                ["spec"] = spec,
            },
            GitOpsApplicationResource.Group,
            GitOpsApplicationResource.Version,
            ns,
            GitOpsApplicationResource.Plural);

    private static JsonNode? StatusOf(EndToEndEnvironment env, string name, string ns = EndToEndEnvironment.Namespace) =>
        env.Api.Get(GitOpsApplicationResource.ApiVersion, GitOpsApplicationResource.Kind, ns, name)?["status"];

    private static JsonNode? Condition(EndToEndEnvironment env, string name, string type, string ns = EndToEndEnvironment.Namespace) =>
        (StatusOf(env, name, ns)?["conditions"] as JsonArray)?.FirstOrDefault(c => (string?)c?["type"] == type);

    private static async Task<string> KubectlGetAsync(EndToEndEnvironment env)
    {
        var kubectl = TestPaths.RequireTool("kubectl");
        var get = await ProcessRunner.RunAsync(kubectl, ["get", "gitopsapplications", "-n", EndToEndEnvironment.Namespace, "--kubeconfig", env.Api.KubeconfigPath]);
        get.ExitCode.Should().Be(0, get.StandardError);
        return get.StandardOutput;
    }

    private static async Task<string> CommitExtraAsync(EndToEndEnvironment env)
    {
        env.Repo.Write("extra/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra-settings\ndata:\n  k: v\n");
        return await env.Repo.CommitAndPushAsync("an application for a custom resource");
    }
}
