using System.Collections.Immutable;
using GitOps.Sdk.Reconciliation;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Tests.Status;

/// <summary>The status is a pure projection of (previous status, run, now): these tests call it directly.</summary>
public sealed class StatusProjectionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly StatusProjection Projection = new(historyLimit: 3);

    private static ApplicationStatus Previous => new()
    {
        Name = "shop",
        LastAppliedRevision = "main@sha1:1",
        LastAppliedDigest = "sha256:1",
        ConsecutiveFailures = 2,
        LastError = "earlier",
        Conditions = [new StatusCondition(ConditionTypes.Ready, ConditionStatus.False, "SourceFailed", "earlier", T0)],
    };

    private static ReconcileRun Run(ReconcileOutcome outcome, string? revision = "main@sha1:2") => new()
    {
        Application = "shop",
        Trigger = ReconcileTrigger.Manual,
        StartedAt = T0,
        Revision = revision,
        Digest = "sha256:2",
        Outcome = outcome,
    };

    [Fact]
    public void Project_RenderFailure_StallsAndNamesApplicationAndRevision()
    {
        var run = Run(ReconcileOutcome.Failed).Fail(StageFailure.At(ReconcileStage.Render, "render failed (1 error(s)): a.yaml document 0: bad"));

        var status = Projection.Project(Previous, run, T0.AddMinutes(1));

        var ready = status.GetCondition(ConditionTypes.Ready)!;
        ready.Reason.Should().Be("RenderFailed");
        ready.Message.Should().Be("application 'shop' revision main@sha1:2: render failed (1 error(s)): a.yaml document 0: bad");
        ready.LastTransitionTime.Should().Be(T0, "Ready stayed False");
        status.GetCondition(ConditionTypes.Stalled)!.Should().Match<StatusCondition>(c => c.Status == ConditionStatus.True && c.Reason == "InvalidDesiredState");
        status.LastError.Should().Be(ready.Message);
        status.LastErrorStage.Should().Be(ReconcileStage.Render);
        status.ConsecutiveFailures.Should().Be(3);
        status.LastAppliedRevision.Should().Be("main@sha1:1", "nothing was applied");
        status.LastAttemptedRevision.Should().Be("main@sha1:2");
    }

    [Fact]
    public void Project_ConfinementFailure_ReasonIsConfinementViolation()
    {
        var run = Run(ReconcileOutcome.Failed).Fail(StageFailure.Confinement([], "confinement violated"));

        var status = Projection.Project(Previous, run, T0);

        status.GetCondition(ConditionTypes.Ready)!.Reason.Should().Be(StageFailure.ConfinementViolationReason);
        status.GetCondition(ConditionTypes.Stalled)!.Reason.Should().Be(StageFailure.ConfinementViolationReason);
        run.ToResult().FailedStage.Should().Be(ReconcileStage.Plan);
    }

    [Fact]
    public void Project_ApplyFailure_RetriesWithoutStalling()
    {
        var run = Run(ReconcileOutcome.Failed).Fail(StageFailure.At(ReconcileStage.Apply, "apply failed: x"));

        var status = Projection.Project(Previous, run, T0);

        status.GetCondition(ConditionTypes.Ready)!.Reason.Should().Be("ApplyFailed");
        status.GetCondition(ConditionTypes.Stalled)!.Should().Match<StatusCondition>(c => c.Status == ConditionStatus.False && c.Reason == "Retrying");
    }

    [Fact]
    public void Project_Cancelled_KeepsTheLastErrorAndFailureCount()
    {
        var run = Run(ReconcileOutcome.Cancelled) with { Stage = ReconcileStage.Apply };

        var status = Projection.Project(Previous, run, T0);

        status.LastError.Should().Be("earlier");
        status.ConsecutiveFailures.Should().Be(2);
        status.GetCondition(ConditionTypes.Reconciling)!.Reason.Should().Be("Cancelled");
        status.History[0].Message.Should().Be("application 'shop': reconcile cancelled at stage Apply");
    }

    [Fact]
    public void Project_Synced_ClearsTheErrorRecordsTheRevisionAndBoundsHistory()
    {
        var status = Previous;
        for (var i = 0; i < 5; i++)
        {
            status = Projection.Project(status, Run(ReconcileOutcome.Synced), T0.AddMinutes(i + 1));
        }

        status.LastError.Should().BeNull();
        status.ConsecutiveFailures.Should().Be(0);
        status.LastAppliedRevision.Should().Be("main@sha1:2");
        status.LastAppliedDigest.Should().Be("sha256:2");
        status.History.Should().HaveCount(3);
        var ready = status.GetCondition(ConditionTypes.Ready)!;
        ready.Status.Should().Be(ConditionStatus.True);
        ready.LastTransitionTime.Should().Be(T0.AddMinutes(1), "the transition happened at the first successful run");
    }

    [Fact]
    public void Project_HeldPlan_ChangesOnlyWhenTheRunDecidedIt()
    {
        var held = new HeldPlan { Hash = "sha256:abc", Since = T0, Steps = [] };
        var plan = new ApplyPlan { Application = "shop", Steps = [] };
        var holding = Run(ReconcileOutcome.Applied) with { Approval = new ApprovalResult(plan, held), DecidedHeldPlan = true };

        var afterHold = Projection.Project(Previous, holding, T0);
        var afterFailure = Projection.Project(afterHold, Run(ReconcileOutcome.Failed).Fail(StageFailure.At(ReconcileStage.Source, "down")), T0);
        var afterClear = Projection.Project(afterFailure, Run(ReconcileOutcome.Synced) with { DecidedHeldPlan = true }, T0);

        afterHold.HeldPlan.Should().Be(held);
        afterHold.GetCondition(ConditionTypes.Ready)!.Reason.Should().Be("ApprovalPending");
        afterFailure.HeldPlan.Should().Be(held, "a run that failed before the approval filter decided nothing");
        afterClear.HeldPlan.Should().BeNull();
    }

    [Fact]
    public void Project_Refused_ReportsTheOwnershipConflict()
    {
        var refused = ImmutableArray.Create(new Events.RefusedObject(new ResourceKey(string.Empty, "ConfigMap", "shop", "u"), PlanRefusalRules.NotMarked, null, "AllowAdoption", "u is not marked"));
        var run = Run(ReconcileOutcome.Refused) with { Refused = refused };

        var status = Projection.Project(Previous, run, T0);

        status.GetCondition(ConditionTypes.Ready)!.Should().Match<StatusCondition>(c => c.Status == ConditionStatus.False && c.Reason == "OwnershipConflict");
        status.GetCondition(ConditionTypes.Drifted)!.Status.Should().Be(ConditionStatus.True);
        status.LastAppliedRevision.Should().Be("main@sha1:1", "a refused run that applied nothing records no applied revision");
        status.ConsecutiveFailures.Should().Be(0);
    }
}
