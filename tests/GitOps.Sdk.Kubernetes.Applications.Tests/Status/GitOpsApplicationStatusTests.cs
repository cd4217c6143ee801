using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Kubernetes.Applications.Tests.Status;

public sealed class GitOpsApplicationStatusTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Earlier = new(2026, 3, 1, 11, 30, 15, 250, TimeSpan.Zero);

    [Fact]
    public void Project_RunningApplication_ConditionsRevisionInventoryAndHeldPlanInKubernetesConvention()
    {
        var status = new ApplicationStatus
        {
            Name = "shop",
            LastAppliedRevision = "main@sha1:abc",
            LastAttemptedRevision = "main@sha1:def",
            Conditions =
            [
                new StatusCondition(ConditionTypes.Healthy, ConditionStatus.True, "Healthy", "all healthy", Earlier),
                new StatusCondition(ConditionTypes.Stalled, ConditionStatus.False, "Progressing", "Reconciled", Earlier),
                new StatusCondition(ConditionTypes.Ready, ConditionStatus.False, "ApprovalPending", "1 step waits for approval", Earlier),
                new StatusCondition(ConditionTypes.Reconciling, ConditionStatus.False, "Idle", "Last reconcile Held", Earlier),
            ],
            Objects =
            [
                new ObjectStatus(new ResourceKey("", "ConfigMap", "shop", "a"), SyncStatus.Synced, new HealthResult(HealthStatus.Healthy)),
                new ObjectStatus(new ResourceKey("apps", "Deployment", "shop", "web"), SyncStatus.Held, new HealthResult(HealthStatus.Progressing)),
            ],
            Health = new HealthResult(HealthStatus.Progressing),
            HeldPlan = new HeldPlan { Hash = "h123", Steps = [new HeldStep(new ResourceKey("apps", "Deployment", "shop", "web"), PlanAction.Apply, [])], Reason = "prune needs approval", Revision = "main@sha1:def", Since = Earlier },
        };

        var json = GitOpsApplicationStatus.Project(Entry(generation: 3), new(status, []), Now);

        json["observedGeneration"]!.GetValue<long>().Should().Be(3);
        var conditions = json["conditions"]!.AsArray();
        conditions.Select(static c => (string?)c!["type"]).Should().Equal("Ready", "Reconciling", "Stalled", "Healthy");
        var ready = conditions[0]!;
        ((string?)ready["status"]).Should().Be("False");
        ((string?)ready["reason"]).Should().Be("ApprovalPending");
        ((string?)ready["message"]).Should().Be("1 step waits for approval");
        ((string?)ready["lastTransitionTime"]).Should().Be("2026-03-01T11:30:15Z", "RFC 3339 in whole seconds");
        ready["observedGeneration"]!.GetValue<long>().Should().Be(3);
        ((string?)json["lastAppliedRevision"]).Should().Be("main@sha1:abc");
        ((string?)json["lastAttemptedRevision"]).Should().Be("main@sha1:def");
        ((string?)json["sync"]).Should().Be("Synced");
        ((string?)json["health"]).Should().Be("Progressing");
        json["inventory"]!.ToJsonString().Should().Be("""{"total":2,"synced":1,"healthy":1}""");
        json["heldPlan"]!.ToJsonString().Should().Be("""{"hash":"h123","steps":1,"wholePlan":false,"since":"2026-03-01T11:30:15Z","reason":"prune needs approval","revision":"main@sha1:def"}""");
    }

    [Fact]
    public void Project_ConditionWithTheSameStatusLive_KeepsItsLastTransitionTime()
    {
        var live = JsonDocument.Parse("""{"conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-02-01T00:00:00Z"},{"type":"Reconciling","status":"True","lastTransitionTime":"2026-02-01T00:00:00Z"}]}""").RootElement;
        var status = new ApplicationStatus
        {
            Name = "shop",
            Conditions = [new StatusCondition(ConditionTypes.Ready, ConditionStatus.True, "ReconciliationSucceeded", "ok", Earlier), new StatusCondition(ConditionTypes.Reconciling, ConditionStatus.False, "Idle", "done", Earlier)],
        };

        var json = GitOpsApplicationStatus.Project(Entry(live: live), new(status, []), Now);

        var conditions = json["conditions"]!.AsArray();
        ((string?)conditions[0]!["lastTransitionTime"]).Should().Be("2026-02-01T00:00:00Z", "Ready stayed True");
        ((string?)conditions[1]!["lastTransitionTime"]).Should().Be("2026-03-01T11:30:15Z", "Reconciling changed");
    }

    [Fact]
    public void Project_NotRunYet_ReadyUnknownAndReconciling()
    {
        var json = GitOpsApplicationStatus.Project(Entry(generation: 2), new(null, []), Now);

        Summary(json).Should().Equal("Ready=Unknown/Pending", "Reconciling=True/Pending", "Stalled=False/Pending");
        json["lastAppliedRevision"].Should().BeNull();
        json["inventory"].Should().BeNull();
        ((string?)json["conditions"]![0]!["message"]).Should().Be("Waiting for the engine to run generation 2");
    }

    [Fact]
    public void Project_SpecWithProblems_StalledWithTheProblemsAndThePreviousRunWhenItKeepsRunning()
    {
        var entry = Entry() with { Definition = null, Problems = ["GitOpsApplication team-a/shop: spec:Interval: 'banana' is not a duration."] };
        var running = new ApplicationStatus { Name = "shop", LastAppliedRevision = "main@sha1:abc" };

        var json = GitOpsApplicationStatus.Project(entry, new(running, []), Now);

        Summary(json).Should().Equal("Ready=False/InvalidSpec", "Reconciling=False/InvalidSpec", "Stalled=True/InvalidSpec");
        ((string?)json["conditions"]![2]!["message"]).Should().Be("GitOpsApplication team-a/shop: spec:Interval: 'banana' is not a duration. The application keeps running with its previous spec.");
        ((string?)json["conditions"]![2]!["lastTransitionTime"]).Should().Be("2026-03-01T12:00:00Z");
        ((string?)json["lastAppliedRevision"]).Should().Be("main@sha1:abc");
    }

    [Fact]
    public void Project_RefusedByTheEngine_StalledWithItsReasons()
    {
        var json = GitOpsApplicationStatus.Project(Entry(), new(null, ["source 'options' provides an application named 'shop' too and takes precedence (it runs it, or it is registered first); rename one of them"]), Now);

        Summary(json).Should().Equal("Ready=False/Refused", "Reconciling=False/Refused", "Stalled=True/Refused");
        ((string?)json["conditions"]![0]!["message"]).Should().StartWith("source 'options' provides an application named 'shop' too");
    }

    [Fact]
    public void Project_DuplicateName_StalledNamingTheOlderResource()
    {
        var json = GitOpsApplicationStatus.Project(Entry() with { DuplicateOf = "team-b/shop" }, new(new ApplicationStatus { Name = "shop", LastAppliedRevision = "x" }, []), Now);

        Summary(json).Should().Equal("Ready=False/DuplicateName", "Reconciling=False/DuplicateName", "Stalled=True/DuplicateName");
        ((string?)json["conditions"]![0]!["message"]).Should().Be("the application name 'shop' is taken by GitOpsApplication team-b/shop, created first; rename this resource");
        json["lastAppliedRevision"].Should().BeNull("the other resource's application is not this one's");
    }

    [Fact]
    public void Same_LiveStatusWithTheSameContent_IsTheSame()
    {
        var json = GitOpsApplicationStatus.Project(Entry(), new(null, []), Now);

        GitOpsApplicationStatus.Same(json, JsonDocument.Parse(json.ToJsonString()).RootElement).Should().BeTrue();
        GitOpsApplicationStatus.Same(json, null).Should().BeFalse();
        json["observedGeneration"] = 9;
        GitOpsApplicationStatus.Same(json, JsonDocument.Parse(GitOpsApplicationStatus.Project(Entry(), new(null, []), Now).ToJsonString()).RootElement).Should().BeFalse();
    }

    private static ResourceEntry Entry(long generation = 1, JsonElement? live = null) =>
        new("team-a", "shop", "uid-1", generation, new ApplicationDefinition { Name = "shop", Source = new SourceReference { Url = "https://git.example.com/shop.git" } }, ImmutableArray<string>.Empty, live);

    private static string[] Summary(JsonObject json) =>
        [.. json["conditions"]!.AsArray().Select(static c => $"{c!["type"]}={c["status"]}/{c["reason"]}")];
}
