using System.Collections.Immutable;
using GitOps.Sdk.Events;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Reconciliation;

/// <summary>
/// Everything one reconcile learned, accumulated stage by stage with <c>with</c>-expressions: each stage's output record
/// is added once and never changed afterwards. The result (<see cref="ToResult"/>) and the status
/// (<see cref="StatusProjection"/>) are pure projections of it.
/// </summary>
internal sealed record ReconcileRun
{
    /// <summary>Gets the application.</summary>
    public required string Application { get; init; }

    /// <summary>Gets what started the run.</summary>
    public required ReconcileTrigger Trigger { get; init; }

    /// <summary>Gets when the run started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets the stage the run reached (for cancellations and unexpected errors).</summary>
    public ReconcileStage Stage { get; init; } = ReconcileStage.Source;

    /// <summary>Gets the source stage's output.</summary>
    public ResolvedSource? Source { get; init; }

    /// <summary>Gets the revision worked on, once resolved.</summary>
    public string? Revision { get; init; }

    /// <summary>Gets the content digest, once fetched (or known from the last good render).</summary>
    public string? Digest { get; init; }

    /// <summary>Gets the render stage's output (or the last good desired state when the revision did not move).</summary>
    public RenderedState? Rendered { get; init; }

    /// <summary>Gets the live-state stage's output.</summary>
    public LiveSnapshot? Live { get; init; }

    /// <summary>Gets the diff stage's output.</summary>
    public DiffSet? Diff { get; init; }

    /// <summary>Gets the plan stage's output (before approval).</summary>
    public ReconcilePlan? Plan { get; init; }

    /// <summary>Gets the approval filter's output.</summary>
    public ApprovalResult? Approval { get; init; }

    /// <summary>Gets the apply stage's output.</summary>
    public AppliedChanges? Applied { get; init; }

    /// <summary>Gets the health of every desired object, when assessed.</summary>
    public HealthReport? Health { get; init; }

    /// <summary>Gets the health the result reports (the previous one for a skipped run; none for most failures).</summary>
    public HealthResult? ResultHealth { get; init; }

    /// <summary>Gets the objects safety rules refused, when the run reported them.</summary>
    public ImmutableArray<RefusedObject> Refused { get; init; } = [];

    /// <summary>Gets a value indicating whether the run decided the held plan (set or cleared); otherwise the status keeps it.</summary>
    public bool DecidedHeldPlan { get; init; }

    /// <summary>Gets the expected failure that ended the run, or the unexpected one caught at the top.</summary>
    public StageFailure? Failure { get; init; }

    /// <summary>Gets how the run ended, once it did.</summary>
    public ReconcileOutcome Outcome { get; init; } = ReconcileOutcome.Failed;

    /// <summary>Gets how long the run took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Gets the desired state, when rendered.</summary>
    public DesiredState? Desired => Rendered?.Desired;

    /// <summary>Gets the plan that ran or would run (after the approval filter).</summary>
    public ApplyPlan? EffectivePlan => Approval?.Plan ?? Plan?.Plan;

    /// <summary>Gets the plan held for approval, when one is.</summary>
    public HeldPlan? Held => Approval?.Held;

    /// <summary>Gets what the applier did, when it ran.</summary>
    public ApplyResult? ApplyResult => Applied?.Result;

    /// <summary>Gets the notes for the history summary.</summary>
    public ImmutableArray<string> Notes => Plan?.Notes ?? [];

    /// <summary>Gets the error as reported: it names the application and, when known, the revision.</summary>
    public string? Error => Outcome switch
    {
        ReconcileOutcome.Failed when Failure is { } f => $"application '{Application}'{(Revision is null ? string.Empty : $" revision {Revision}")}: {f.Message}",
        ReconcileOutcome.Cancelled => $"application '{Application}': reconcile cancelled at stage {Stage}",
        _ => null,
    };

    /// <summary>Ends the run with an expected failure.</summary>
    public ReconcileRun Fail(StageFailure failure) => this with { Failure = failure, Outcome = ReconcileOutcome.Failed, Stage = failure.Stage };

    /// <summary>Projects the run onto the public result.</summary>
    public ReconcileResult ToResult()
    {
        var result = new ReconcileResult
        {
            Application = Application,
            Outcome = Outcome,
            Trigger = Trigger,
            Revision = Revision,
            Digest = Digest,
            Error = Error,
            Duration = Duration,
        };
        return Outcome switch
        {
            ReconcileOutcome.Cancelled => result,
            ReconcileOutcome.Skipped => result with { Health = ResultHealth },
            ReconcileOutcome.Failed => result with
            {
                FailedStage = Failure?.Stage ?? Stage,
                Diffs = Diff?.Drifted ?? [],
                Drift = Diff?.Drift ?? [],
                Plan = EffectivePlan,
                Apply = ApplyResult,
                Health = ResultHealth,
                Violations = Failure?.Violations ?? [],
            },
            _ => result with
            {
                Diffs = Diff?.Drifted ?? [],
                Drift = Diff?.Drift ?? [],
                Plan = EffectivePlan,
                Apply = ApplyResult,
                Held = Held,
                Health = ResultHealth,
                Refused = Refused,
            },
        };
    }
}

/// <summary>An expected failure: the stage, the Ready condition's reason, and a message naming what failed.</summary>
/// <param name="Stage">The stage that failed.</param>
/// <param name="Reason">The Ready condition's reason (<c>RenderFailed</c>, <c>ConfinementViolation</c>, …).</param>
/// <param name="Message">What failed, naming file, document and object where known (without the application prefix).</param>
internal sealed record StageFailure(ReconcileStage Stage, string Reason, string Message)
{
    /// <summary>The Ready and Stalled condition reason of a revision refused by the confinement policy.</summary>
    public const string ConfinementViolationReason = "ConfinementViolation";

    /// <summary>Gets the confinement violations, when the revision was refused for them.</summary>
    public ImmutableArray<Planning.ConfinementViolation> Violations { get; init; } = [];

    /// <summary>Gets a value indicating whether the revision itself is bad, so retrying it cannot help (the Stalled condition).</summary>
    public bool Stalls => Stage == ReconcileStage.Render || !Violations.IsDefaultOrEmpty;

    /// <summary>Creates a failure of <paramref name="stage"/> with the reason <c>{stage}Failed</c>.</summary>
    public static StageFailure At(ReconcileStage stage, string message) => new(stage, $"{stage}Failed", message);

    /// <summary>Creates the failure of a revision the confinement policy refused.</summary>
    public static StageFailure Confinement(ImmutableArray<Planning.ConfinementViolation> violations, string message) =>
        new(ReconcileStage.Plan, ConfinementViolationReason, message) { Violations = violations };
}

/// <summary>
/// What a stage returns: its output, or an expected failure, or both (an apply that failed for some objects still
/// reports what it did; a health wait that timed out still reports the health it saw).
/// </summary>
/// <typeparam name="T">The stage's output record.</typeparam>
internal readonly record struct StageResult<T>(T? Value, StageFailure? Failure)
    where T : class
{
    public static implicit operator StageResult<T>(T value) => new(value, null);

    public static implicit operator StageResult<T>(StageFailure failure) => new(null, failure);
}
