using System.Collections.Immutable;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Events;

/// <summary>
/// Something that happened while reconciling an application. Subscribe through <c>IGitOpsController.Events</c>;
/// match on the derived types. Events never carry credentials or Secret data.
/// </summary>
/// <example>
/// <code>
/// controller.Events.OfType&lt;DriftDetected&gt;().Subscribe(e =&gt;
///     logger.LogWarning("{App}: {Count} objects drifted", e.Application, e.Objects.Length));
/// </code>
/// </example>
public abstract record ReconcileEvent
{
    /// <summary>Gets the application.</summary>
    public required string Application { get; init; }

    /// <summary>Gets when the event happened.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the source revision the reconcile worked on, when known.</summary>
    public string? Revision { get; init; }
}

/// <summary>The source was fetched.</summary>
public sealed record SourceFetched : ReconcileEvent
{
    /// <summary>Gets the source, with credentials removed.</summary>
    public required string Source { get; init; }

    /// <summary>Gets the digest of the fetched content.</summary>
    public required string Digest { get; init; }
}

/// <summary>
/// A sync hook (docs/sync-hooks.md) finished: its Job completed or failed, its Pod succeeded or failed, another kind became
/// healthy, or it timed out. Published in the order the hooks finish.
/// </summary>
public sealed record HookFinished : ReconcileEvent
{
    /// <summary>Gets the hook object.</summary>
    public required ResourceKey Object { get; init; }

    /// <summary>Gets the phase it ran in.</summary>
    public required Hooks.SyncHookPhase Phase { get; init; }

    /// <summary>Gets a value indicating whether it succeeded.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>Gets its health message, or why it failed.</summary>
    public string? Message { get; init; }
}

/// <summary>The fetched content was rendered into desired state.</summary>
public sealed record Rendered : ReconcileEvent
{
    /// <summary>Gets the number of objects rendered.</summary>
    public required int ObjectCount { get; init; }

    /// <summary>Gets the renderer that ran, when known.</summary>
    public string? Renderer { get; init; }

    /// <summary>Gets the digest of the rendered content.</summary>
    public string? Digest { get; init; }
}

/// <summary>Live objects no longer match what the application last applied: someone or something changed or deleted them.</summary>
public sealed record DriftDetected : ReconcileEvent
{
    /// <summary>Gets the drifted objects with their field changes and who made them.</summary>
    public required ImmutableArray<ObjectDrift> Objects { get; init; }

    /// <summary>Gets a value indicating whether the drift will be corrected (mode <c>Correct</c>) or only reported.</summary>
    public bool WillCorrect { get; init; }
}

/// <summary>Objects were written (created, configured, or found unchanged).</summary>
public sealed record Applied : ReconcileEvent
{
    /// <summary>Gets what happened to each object (without object content).</summary>
    public required ImmutableArray<ObjectApplyResult> Objects { get; init; }
}

/// <summary>Objects that were removed from the source were deleted.</summary>
public sealed record Pruned : ReconcileEvent
{
    /// <summary>Gets the deleted objects.</summary>
    public required ImmutableArray<ResourceKey> Objects { get; init; }
}

/// <summary>The application's health changed.</summary>
public sealed record HealthChanged : ReconcileEvent
{
    /// <summary>Gets the health before, or <see langword="null"/> when it was not yet assessed.</summary>
    public HealthStatus? Previous { get; init; }

    /// <summary>Gets the health now.</summary>
    public required HealthResult Current { get; init; }
}

/// <summary>A plan (or its destructive steps) waits for approval; see <c>IGitOpsController.Approve</c>.</summary>
public sealed record PlanHeld : ReconcileEvent
{
    /// <summary>Gets the held plan.</summary>
    public required HeldPlan Plan { get; init; }
}

/// <summary>A reconcile failed; nothing after the failed stage ran.</summary>
public sealed record ReconcileFailed : ReconcileEvent
{
    /// <summary>Gets the stage that failed.</summary>
    public required ReconcileStage Stage { get; init; }

    /// <summary>Gets why, naming application, revision, file, document and object where known.</summary>
    public required string Message { get; init; }
}

/// <summary>A reconcile finished (successfully or not).</summary>
public sealed record ReconcileCompleted : ReconcileEvent
{
    /// <summary>Gets the outcome.</summary>
    public required ReconcileOutcome Outcome { get; init; }

    /// <summary>Gets how long the reconcile took.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Gets what started it.</summary>
    public required ReconcileTrigger Trigger { get; init; }
}

/// <summary>
/// A safety rule refused objects of the plan: owned by another application, unmarked without adoption allowed, or a
/// prune blocked by a deletion guard. They were not written, not recorded and not pruned; the reconcile ends
/// <see cref="ReconcileOutcome.Refused"/>.
/// </summary>
public sealed record ObjectsRefused : ReconcileEvent
{
    /// <summary>Gets the refused objects.</summary>
    public required ImmutableArray<RefusedObject> Objects { get; init; }
}

/// <summary>One object a safety rule refused.</summary>
/// <param name="Key">The object.</param>
/// <param name="Rule">The rule, one of <see cref="PlanRefusalRules"/>.</param>
/// <param name="Owner">Who holds the object instead, when known.</param>
/// <param name="Option">The application option that would allow the step.</param>
/// <param name="Reason">The full reason in words.</param>
public sealed record RefusedObject(ResourceKey Key, string Rule, string? Owner, string Option, string Reason)
{
    /// <summary>Gets the objects that block a guarded prune.</summary>
    public ImmutableArray<ResourceKey> Blocking { get; init; } = [];
}
