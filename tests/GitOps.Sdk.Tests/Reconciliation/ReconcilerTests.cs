using System.Diagnostics.Metrics;
using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;
using Microsoft.Extensions.DependencyInjection;
using static GitOps.Sdk.Tests.Reconciliation.PipelineHarness;

namespace GitOps.Sdk.Tests.Reconciliation;

public sealed class ReconcilerTests
{
    [Fact]
    public async Task Reconcile_FirstSync_CreatesEverythingAndReportsReady()
    {
        await using var h = Create();
        var revision = h.Commit(("a.yaml", ConfigMap("a", "hello")), ("b.yaml", ConfigMap("b", "world")));

        var result = await h.Controller.ReconcileAsync("shop", default);

        result.Outcome.Should().Be(ReconcileOutcome.Applied, result.Error);
        result.Revision.Should().Be(revision);
        h.Value("a").Should().Be("hello");
        h.Value("b").Should().Be("world");
        h.Cluster.Find(ConfigMapKey("a"))!.GetLabel(WellKnown.ApplicationLabel).Should().Be("shop");
        var status = h.Controller.GetStatus("shop")!;
        status.LastAppliedRevision.Should().Be(revision);
        status.LastAttemptedRevision.Should().Be(revision);
        status.Is(ConditionTypes.Ready).Should().BeTrue();
        status.Is(ConditionTypes.Healthy).Should().BeTrue();
        status.Is(ConditionTypes.Reconciling).Should().BeFalse();
        status.Objects.Should().HaveCount(2).And.OnlyContain(o => o.Sync == SyncStatus.Synced && o.Health.Status == HealthStatus.Healthy);
        status.History.Should().ContainSingle().Which.Outcome.Should().Be(ReconcileOutcome.Applied);
        status.History[0].Digest.Should().StartWith("sha256:");
        h.EventsOf<SourceFetched>().Should().ContainSingle().Which.Revision.Should().Be(revision);
        h.EventsOf<Rendered>().Should().ContainSingle().Which.ObjectCount.Should().Be(2);
        h.EventsOf<Applied>().Should().ContainSingle().Which.Objects.Should().OnlyContain(o => o.Outcome == ApplyOutcome.Created);
        (await h.Inventory.GetAsync("shop", default))!.Entries.Select(e => e.Key).Should().BeEquivalentTo([ConfigMapKey("a"), ConfigMapKey("b")]);
    }

    [Fact]
    public async Task Reconcile_SameRevisionAgain_WritesNothingAndDoesNotFetch()
    {
        await using var h = Create();
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.Controller.ReconcileAsync("shop", default);
        var fetches = h.Source.FetchCount;
        var rv = h.Cluster.Find(ConfigMapKey("a"))!.Metadata.GetProperty("resourceVersion").GetString();

        var result = await h.Controller.ReconcileAsync("shop", default);

        result.Outcome.Should().Be(ReconcileOutcome.Synced);
        h.Source.FetchCount.Should().Be(fetches);
        h.Cluster.Find(ConfigMapKey("a"))!.Metadata.GetProperty("resourceVersion").GetString().Should().Be(rv);
    }

    [Fact]
    public async Task Reconcile_CommitChangesValue_AppliesIt()
    {
        await using var h = Create();
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.Controller.ReconcileAsync("shop", default);
        var second = h.Commit(("a.yaml", ConfigMap("a", "bonjour")));

        var result = await h.Controller.ReconcileAsync("shop", default);

        result.Outcome.Should().Be(ReconcileOutcome.Applied);
        h.Value("a").Should().Be("bonjour");
        result.Apply!.Objects.Should().ContainSingle(o => o.Outcome == ApplyOutcome.Configured);
        result.Drift.Should().BeEmpty("a change from the source is not drift");
        h.Controller.GetStatus("shop")!.LastAppliedRevision.Should().Be(second);
    }

    [Fact]
    public async Task Reconcile_FileRemoved_PrunesObject()
    {
        await using var h = Create();
        h.Commit(("a.yaml", ConfigMap("a", "hello")), ("b.yaml", ConfigMap("b", "world")));
        await h.Controller.ReconcileAsync("shop", default);
        h.Commit(("a.yaml", ConfigMap("a", "hello")));

        var result = await h.Controller.ReconcileAsync("shop", default);

        result.Outcome.Should().Be(ReconcileOutcome.Applied);
        h.Cluster.Find(ConfigMapKey("b")).Should().BeNull();
        h.EventsOf<Pruned>().Should().ContainSingle().Which.Objects.Should().Equal(ConfigMapKey("b"));
        (await h.Inventory.GetAsync("shop", default))!.Entries.Select(e => e.Key).Should().Equal(ConfigMapKey("a"));
    }

    [Fact]
    public async Task Reconcile_BadCommit_ChangesNothingAndNextGoodCommitRecovers()
    {
        await using var h = Create();
        var good = h.Commit(("a.yaml", ConfigMap("a", "hello")), ("b.yaml", ConfigMap("b", "world")));
        await h.Controller.ReconcileAsync("shop", default);
        var bad = h.Commit(("a.yaml", ConfigMap("a", "changed")), ("b.yaml", "apiVersion: v1\nmetadata:\n  name: b\n"));

        var failed = await h.Controller.ReconcileAsync("shop", default);

        failed.Outcome.Should().Be(ReconcileOutcome.Failed);
        failed.FailedStage.Should().Be(ReconcileStage.Render);
        failed.Error.Should().Contain("application 'shop'").And.Contain(bad).And.Contain("b.yaml");
        h.Value("a").Should().Be("hello", "a failed render applies nothing");
        h.Value("b").Should().Be("world", "a failed render prunes nothing");
        var status = h.Controller.GetStatus("shop")!;
        status.LastAppliedRevision.Should().Be(good);
        status.LastAttemptedRevision.Should().Be(bad);
        status.Is(ConditionTypes.Ready).Should().BeFalse();
        status.GetCondition(ConditionTypes.Ready)!.Message.Should().Contain("b.yaml");
        status.Is(ConditionTypes.Stalled).Should().BeTrue();
        status.LastErrorStage.Should().Be(ReconcileStage.Render);
        h.EventsOf<ReconcileFailed>().Should().ContainSingle().Which.Stage.Should().Be(ReconcileStage.Render);

        var fixedRevision = h.Commit(("a.yaml", ConfigMap("a", "changed")), ("b.yaml", ConfigMap("b", "fixed")));
        var recovered = await h.Controller.ReconcileAsync("shop", default);

        recovered.Outcome.Should().Be(ReconcileOutcome.Applied);
        h.Value("a").Should().Be("changed");
        h.Value("b").Should().Be("fixed");
        status = h.Controller.GetStatus("shop")!;
        status.LastAppliedRevision.Should().Be(fixedRevision);
        status.Is(ConditionTypes.Ready).Should().BeTrue();
        status.Is(ConditionTypes.Stalled).Should().BeFalse();
        status.LastError.Should().BeNull();
        status.History.Select(r => r.Outcome).Should().Equal(ReconcileOutcome.Applied, ReconcileOutcome.Failed, ReconcileOutcome.Applied);
    }

    [Fact]
    public async Task Reconcile_SourceUnreachable_KeepsPreviousStateAndReportsSource()
    {
        await using var h = Create();
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.Controller.ReconcileAsync("shop", default);
        h.Source.Fail(Url, SourceErrorKind.Unreachable, "connection refused");

        var failed = await h.Controller.ReconcileAsync("shop", default);

        failed.FailedStage.Should().Be(ReconcileStage.Source);
        failed.Error.Should().Contain("connection refused").And.Contain("shop");
        h.Value("a").Should().Be("hello");
        h.Controller.GetStatus("shop")!.Is(ConditionTypes.Stalled).Should().BeFalse("a source outage is retried");
    }

    [Fact]
    public async Task Reconcile_EmptyRender_PrunesNothingUnlessAllowed()
    {
        await using var h = Create();
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.Controller.ReconcileAsync("shop", default);
        h.Commit(("README.md", "nothing here"));

        var result = await h.Controller.ReconcileAsync("shop", default);

        result.Succeeded.Should().BeTrue();
        h.Value("a").Should().Be("hello");
        h.EventsOf<Pruned>().Should().BeEmpty();
        h.Controller.GetStatus("shop")!.History[0].Message.Should().Contain("empty");
    }

    [Fact]
    public async Task Reconcile_EmptyRenderAllowed_PrunesEverything()
    {
        await using var h = Create(app: a => a with { AllowEmptyPrune = true });
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.Controller.ReconcileAsync("shop", default);
        h.Commit(("README.md", "nothing here"));

        await h.Controller.ReconcileAsync("shop", default);

        h.Cluster.Find(ConfigMapKey("a")).Should().BeNull();
    }

    [Fact]
    public async Task Reconcile_FieldChangedByAnotherActor_RevertsAndAttributes()
    {
        await using var h = Create();
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.Controller.ReconcileAsync("shop", default);
        h.Cluster.Update(ConfigMapKey("a"), n => n["data"]!["greeting"] = "hacked", fieldManager: "kubectl-edit");

        var result = await h.Controller.ReconcileAsync("shop", default);

        result.Outcome.Should().Be(ReconcileOutcome.Applied);
        h.Value("a").Should().Be("hello");
        var drift = result.Drift.Should().ContainSingle().Subject;
        drift.Key.Should().Be(ConfigMapKey("a"));
        drift.Action.Should().Be(DiffAction.Update);
        var change = drift.Changes.Should().ContainSingle().Subject;
        change.Path.Should().Be("/data/greeting");
        change.LiveValue.Should().Be("\"hacked\"");
        change.Attribution!.Manager.Should().Be("kubectl-edit");
        h.EventsOf<DriftDetected>().Should().ContainSingle().Which.WillCorrect.Should().BeTrue();
        var status = h.Controller.GetStatus("shop")!;
        status.LastDrift!.Corrected.Should().BeTrue();
        status.LastDrift.Objects.Should().ContainSingle().Which.ToString().Should().Contain("kubectl-edit");
        status.GetCondition(ConditionTypes.Drifted)!.Reason.Should().Be("DriftCorrected");
    }

    [Fact]
    public async Task Reconcile_ObjectDeletedByAnotherActor_Recreates()
    {
        await using var h = Create();
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.Controller.ReconcileAsync("shop", default);
        h.Cluster.Delete(ConfigMapKey("a"));

        var result = await h.Controller.ReconcileAsync("shop", default);

        h.Value("a").Should().Be("hello");
        result.Drift.Should().ContainSingle().Which.Action.Should().Be(DiffAction.Create);
        result.Apply!.Objects.Should().ContainSingle(o => o.Outcome == ApplyOutcome.Created);
    }

    [Fact]
    public async Task Reconcile_DetectOnlyMissingObject_ReportsCreateAndChangesNothing()
    {
        await using var detect = Create(app: a => a with { Mode = ReconcileMode.DetectOnly });
        detect.Commit(("a.yaml", ConfigMap("a", "hello")));

        var first = await detect.Controller.ReconcileAsync("shop", default);

        first.Outcome.Should().Be(ReconcileOutcome.OutOfSync);
        detect.Cluster.Count.Should().Be(0);
        detect.Applier.Plans.Should().BeEmpty();
        first.Diffs.Should().ContainSingle().Which.Action.Should().Be(DiffAction.Create);
        var status = detect.Controller.GetStatus("shop")!;
        status.Is(ConditionTypes.Drifted).Should().BeTrue();
        status.Is(ConditionTypes.Ready).Should().BeFalse();
        status.Objects.Should().ContainSingle().Which.Sync.Should().Be(SyncStatus.OutOfSync);
        status.Health!.Status.Should().Be(HealthStatus.Missing);
    }

    [Fact]
    public async Task Reconcile_DetectOnlyDriftedObject_ReportsTheChangedFieldAndLeavesTheLiveValue()
    {
        // The application was synced in Correct mode, then switched to DetectOnly; another actor edits the object.
        await using var h = Create(app: a => a with { Mode = ReconcileMode.Correct });
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        (await h.Controller.ReconcileAsync("shop", default)).Outcome.Should().Be(ReconcileOutcome.Applied);
        await using var detect = Create(app: a => a with { Mode = ReconcileMode.DetectOnly }, sharingClusterWith: h);
        detect.Commit(("a.yaml", ConfigMap("a", "hello")));
        h.Cluster.Update(ConfigMapKey("a"), n => n["data"]!["greeting"] = "hacked", "kubectl-edit");

        var result = await detect.Controller.ReconcileAsync("shop", default);

        result.Outcome.Should().Be(ReconcileOutcome.OutOfSync);
        detect.Applier.Plans.Should().BeEmpty("detect-only never applies");
        detect.Value("a").Should().Be("hacked", "the drift is reported, not corrected");
        var drift = result.Drift.Should().ContainSingle().Subject;
        drift.Action.Should().Be(DiffAction.Update);
        var change = drift.Changes.Should().ContainSingle().Subject;
        change.Path.Should().Be("/data/greeting");
        change.LiveValue.Should().Be("\"hacked\"");
        change.DesiredValue.Should().Be("\"hello\"");
        detect.EventsOf<DriftDetected>().Should().ContainSingle().Which.WillCorrect.Should().BeFalse();
        var status = detect.Controller.GetStatus("shop")!;
        status.Is(ConditionTypes.Drifted).Should().BeTrue();
        status.LastDrift!.Corrected.Should().BeFalse();
        status.Objects.Should().ContainSingle().Which.Sync.Should().Be(SyncStatus.OutOfSync);

        // Run again: still reported, still not corrected.
        (await detect.Controller.ReconcileAsync("shop", default)).Outcome.Should().Be(ReconcileOutcome.OutOfSync);
        detect.Value("a").Should().Be("hacked");
        detect.Applier.Plans.Should().BeEmpty();
    }

    [Fact]
    public async Task Reconcile_HoldDestructiveSteps_HoldsPruneUntilApproved()
    {
        await using var h = Create(builder: b => b.AddApprovalPolicy(new HoldDestructiveStepsPolicy()));
        h.Commit(("a.yaml", ConfigMap("a", "hello")), ("b.yaml", ConfigMap("b", "world")));
        await h.Controller.ReconcileAsync("shop", default);
        h.Commit(("a.yaml", ConfigMap("a", "changed")));

        var held = await h.Controller.ReconcileAsync("shop", default);

        held.Outcome.Should().Be(ReconcileOutcome.Applied, "the non-destructive part runs");
        h.Value("a").Should().Be("changed");
        h.Value("b").Should().Be("world", "the prune waits for approval");
        var plan = h.Controller.GetStatus("shop")!.HeldPlan!;
        plan.Steps.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Key = ConfigMapKey("b"), Action = PlanAction.Delete });
        plan.WholePlan.Should().BeFalse();
        h.EventsOf<PlanHeld>().Should().ContainSingle();
        h.Controller.GetStatus("shop")!.Objects.Should().Contain(o => o.Key == ConfigMapKey("b") && o.Sync == SyncStatus.Held);

        var again = await h.Controller.ReconcileAsync("shop", default);
        again.Held!.Hash.Should().Be(plan.Hash, "nothing moved, so the plan is the same");
        h.Value("b").Should().Be("world");

        h.Controller.Approve("shop", "sha256:wrong").Should().BeFalse();
        h.Controller.Approve("shop", plan.Hash).Should().BeTrue();
        var approved = await h.Controller.ReconcileAsync("shop", default);

        approved.Outcome.Should().Be(ReconcileOutcome.Applied);
        h.Cluster.Find(ConfigMapKey("b")).Should().BeNull();
        h.Controller.GetStatus("shop")!.HeldPlan.Should().BeNull();
    }

    [Fact]
    public async Task Reconcile_ApprovedButStateMoved_HoldsAgainWithNewHash()
    {
        await using var h = Create(builder: b => b.AddApprovalPolicy(new HoldDestructiveStepsPolicy()));
        h.Commit(("a.yaml", ConfigMap("a", "hello")), ("b.yaml", ConfigMap("b", "world")));
        await h.Controller.ReconcileAsync("shop", default);
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.Controller.ReconcileAsync("shop", default);
        var plan = h.Controller.GetStatus("shop")!.HeldPlan!;
        h.Controller.Approve("shop", plan.Hash).Should().BeTrue();

        // Someone edits the object that was approved for deletion: the approval no longer describes reality.
        h.Cluster.Update(ConfigMapKey("b"), n => n["data"]!["greeting"] = "important");
        var result = await h.Controller.ReconcileAsync("shop", default);

        h.Cluster.Find(ConfigMapKey("b")).Should().NotBeNull();
        result.Held!.Hash.Should().NotBe(plan.Hash);
        h.Controller.GetStatus("shop")!.HeldPlan!.Hash.Should().Be(result.Held.Hash);
    }

    [Fact]
    public async Task Reconcile_HoldAllChanges_AppliesNothingUntilApproved()
    {
        await using var h = Create(builder: b => b.AddApprovalPolicy(new HoldAllChangesPolicy()));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));

        var held = await h.Controller.ReconcileAsync("shop", default);

        held.Outcome.Should().Be(ReconcileOutcome.Held);
        h.Cluster.Count.Should().Be(0);
        var status = h.Controller.GetStatus("shop")!;
        status.HeldPlan!.WholePlan.Should().BeTrue();
        status.GetCondition(ConditionTypes.Ready)!.Reason.Should().Be("ApprovalPending");

        h.Controller.Approve("shop", status.HeldPlan.Hash).Should().BeTrue();
        (await h.Controller.ReconcileAsync("shop", default)).Outcome.Should().Be(ReconcileOutcome.Applied);
        h.Value("a").Should().Be("hello");
    }

    [Fact]
    public async Task Reconcile_ApplyFails_ReportsObjectAndOriginAndKeepsInventory()
    {
        await using var h = Create();
        h.Commit(("a.yaml", ConfigMap("a", "hello")), ("b.yaml", ConfigMap("b", "world")));
        h.Applier.FailWhen = k => k.Name == "b" ? "admission webhook denied the request" : null;

        var result = await h.Controller.ReconcileAsync("shop", default);

        result.Outcome.Should().Be(ReconcileOutcome.Failed);
        result.FailedStage.Should().Be(ReconcileStage.Apply);
        result.Error.Should().Contain("/ConfigMap/shop/b").And.Contain("b.yaml").And.Contain("admission webhook denied");
        h.Value("a").Should().Be("hello");
        (await h.Inventory.GetAsync("shop", default))!.Entries.Select(e => e.Key).Should().Contain(ConfigMapKey("b"), "a half-applied object stays tracked");
        h.Controller.GetStatus("shop")!.Objects.Should().Contain(o => o.Key == ConfigMapKey("b") && o.Sync == SyncStatus.Failed);
    }

    [Fact]
    public async Task Reconcile_WaitForHealthTimesOut_FailsAtHealthStage()
    {
        await using var h = Create(
            app: a => a with { WaitForHealth = true, HealthTimeout = TimeSpan.FromSeconds(30) },
            builder: b => b.AddHealthAssessor(new NeverHealthy()));
        h.Commit(("a.yaml", ConfigMap("a", "hello")));

        var run = h.Controller.ReconcileAsync("shop", default);
        await h.AdvanceUntilAsync(() => run.IsCompleted, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(2), "the health wait ended");
        var result = await run;

        result.FailedStage.Should().Be(ReconcileStage.Health);
        result.Error.Should().Contain("timed out").And.Contain("still warming up");
        var status = h.Controller.GetStatus("shop")!;
        status.LastAppliedRevision.Should().BeNull();
        status.Is(ConditionTypes.Healthy).Should().BeFalse();
        h.EventsOf<HealthChanged>().Should().ContainSingle().Which.Current.Status.Should().Be(HealthStatus.Progressing);
    }

    [Fact]
    public async Task Reconcile_RecordsMetrics()
    {
        var measurements = new List<(string Name, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "GitOps.Sdk")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) =>
        {
            if (HasApp(tags))
            {
                lock (measurements)
                {
                    measurements.Add((i.Name, v));
                }
            }
        });
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) =>
        {
            if (HasApp(tags))
            {
                lock (measurements)
                {
                    measurements.Add((i.Name, v));
                }
            }
        });
        listener.Start();
        await using var h = Create(app: a => a with { Name = "metrics-app" });
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        await h.Controller.ReconcileAsync("metrics-app", default);
        h.Cluster.Update(ConfigMapKey("a"), n => n["data"]!["greeting"] = "x");
        await h.Controller.ReconcileAsync("metrics-app", default);
        h.Source.Fail(Url, SourceErrorKind.Unreachable, "down");
        await h.Controller.ReconcileAsync("metrics-app", default);

        lock (measurements)
        {
            measurements.Count(m => m.Name == "gitops.reconcile.duration").Should().Be(3);
            measurements.Where(m => m.Name == "gitops.drift.count").Sum(m => m.Value).Should().Be(1);
            measurements.Where(m => m.Name == "gitops.apply.objects").Sum(m => m.Value).Should().Be(2);
            measurements.Where(m => m.Name == "gitops.errors").Sum(m => m.Value).Should().Be(1);
        }

        static bool HasApp(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var t in tags)
            {
                if (t.Key == "gitops.application" && (string?)t.Value == "metrics-app")
                {
                    return true;
                }
            }

            return false;
        }
    }

    [Fact]
    public async Task Reconcile_History_IsBounded()
    {
        await using var h = Create(options: o => o.HistoryLimit = 3);
        h.Commit(("a.yaml", ConfigMap("a", "hello")));
        for (var i = 0; i < 5; i++)
        {
            await h.Controller.ReconcileAsync("shop", default);
        }

        h.Controller.GetStatus("shop")!.History.Should().HaveCount(3);
    }

    private sealed class NeverHealthy : IHealthAssessor
    {
        public HealthResult? Assess(KubeObject live) => new(HealthStatus.Progressing, "still warming up");
    }
}
