using GitOps.Sdk.Status;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Diagnostics;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Reconciling {Application} (trigger {Trigger})")]
    public static partial void ReconcileStarting(ILogger logger, string application, string trigger);

    [LoggerMessage(EventId = 2, EventName = "ReconcileFinished", Message = "Reconciled {Application}{AtRevision}: {Outcome} in {DurationMs} ms")]
    private static partial void ReconcileFinishedCore(ILogger logger, LogLevel level, string application, string atRevision, string outcome, double durationMs);

    /// <summary>
    /// Logs a finished reconcile at the level its outcome deserves: a skipped (nothing moved) or cancelled run at
    /// Debug, a failed one at Warning, every other at Information. Without a revision the line leaves it out.
    /// </summary>
    public static void ReconcileFinished(ILogger logger, string application, string? revision, ReconcileOutcome outcome, double durationMs) =>
        ReconcileFinishedCore(logger, LevelOf(outcome), application, At(revision), outcome.ToString(), durationMs);

    /// <summary>The level of a finished reconcile's line.</summary>
    public static LogLevel LevelOf(ReconcileOutcome outcome) => outcome switch
    {
        ReconcileOutcome.Skipped or ReconcileOutcome.Cancelled => LogLevel.Debug,
        ReconcileOutcome.Failed => LogLevel.Warning,
        _ => LogLevel.Information,
    };

    [LoggerMessage(3, LogLevel.Warning, "Reconcile of {Application} failed at stage {Stage}: {Message}")]
    public static partial void ReconcileFailed(ILogger logger, string application, string stage, string message);

    [LoggerMessage(4, LogLevel.Warning, "Drift in {Application}: {Drift}")]
    public static partial void DriftDetected(ILogger logger, string application, string drift);

    [LoggerMessage(EventId = 5, EventName = "Applied", Message = "Applied {Application}{AtRevision}: {Created} created, {Configured} configured, {Deleted} deleted, {Failed} failed")]
    private static partial void AppliedCore(ILogger logger, LogLevel level, string application, string atRevision, int created, int configured, int deleted, int failed);

    /// <summary>Logs what an apply did: at Warning when any object failed, otherwise at Information.</summary>
    public static void Applied(ILogger logger, string application, string? revision, int created, int configured, int deleted, int failed) =>
        AppliedCore(logger, failed > 0 ? LogLevel.Warning : LogLevel.Information, application, At(revision), created, configured, deleted, failed);

    [LoggerMessage(EventId = 6, EventName = "PlanHeld", Level = LogLevel.Information, Message = "Plan of {Application} held for approval (hash {Hash}){Reason}")]
    private static partial void PlanHeldCore(ILogger logger, string application, string hash, string reason);

    /// <summary>Logs a held plan; a policy that gave no reason leaves it out.</summary>
    public static void PlanHeld(ILogger logger, string application, string hash, string? reason) =>
        PlanHeldCore(logger, application, hash, string.IsNullOrEmpty(reason) ? string.Empty : ": " + reason);

    [LoggerMessage(EventId = 7, EventName = "HealthChanged", Level = LogLevel.Information, Message = "Health of {Application} changed to {Health}{Message}")]
    private static partial void HealthChangedCore(ILogger logger, string application, string health, string message);

    /// <summary>Logs a health change; without a message the line ends after the health (never "(null)").</summary>
    public static void HealthChanged(ILogger logger, string application, string health, string? message) =>
        HealthChangedCore(logger, application, health, string.IsNullOrEmpty(message) ? string.Empty : ": " + message);

    [LoggerMessage(8, LogLevel.Error, "Unexpected error reconciling {Application} at stage {Stage}")]
    public static partial void UnexpectedError(ILogger logger, Exception exception, string application, string stage);

    [LoggerMessage(EventId = 18, EventName = "StageFailedRoutine", Level = LogLevel.Warning, Message = "Reconcile of {Application} failed at stage {Stage} ({Error}): {Message}; it is tried again")]
    public static partial void StageFailedRoutine(ILogger logger, string application, string stage, string error, string message);

    [LoggerMessage(9, LogLevel.Information, "GitOps scheduler started with {Count} application(s)")]
    public static partial void SchedulerStarted(ILogger logger, int count);

    [LoggerMessage(10, LogLevel.Information, "GitOps scheduler stopped")]
    public static partial void SchedulerStopped(ILogger logger);

    [LoggerMessage(11, LogLevel.Debug, "Live change of {Key} triggers {Application}")]
    public static partial void LiveChangeTrigger(ILogger logger, string key, string application);

    [LoggerMessage(12, LogLevel.Warning, "An event subscriber threw")]
    public static partial void SubscriberFailed(ILogger logger, Exception exception);

    [LoggerMessage(13, LogLevel.Information, "Application {Application} {State}")]
    public static partial void SuspendChanged(ILogger logger, string application, string state);

    [LoggerMessage(14, LogLevel.Debug, "Next reconcile of {Application} in {DelayMs} ms")]
    public static partial void NextReconcile(ILogger logger, string application, double delayMs);

    [LoggerMessage(EventId = 15, EventName = "EmptyRenderNoPrune", Level = LogLevel.Warning, Message = "Empty render of {Application}{AtRevision}: pruning is off for this reconcile (set AllowEmptyPrune to allow it)")]
    private static partial void EmptyRenderNoPruneCore(ILogger logger, string application, string atRevision);

    /// <summary>Logs an empty render that prunes nothing; without a revision the line leaves it out.</summary>
    public static void EmptyRenderNoPrune(ILogger logger, string application, string? revision) =>
        EmptyRenderNoPruneCore(logger, application, At(revision));

    [LoggerMessage(16, LogLevel.Debug, "{Application}: {Kind} is not watched yet ({Reason}); watching it after the apply")]
    public static partial void WatchDeferred(ILogger logger, string application, GroupKind kind, string reason);

    [LoggerMessage(17, LogLevel.Warning, "{Application}: watching {Kind} failed ({Reason}); trying again on the next reconcile")]
    public static partial void WatchFailed(ILogger logger, string application, GroupKind kind, string reason);

    [LoggerMessage(EventId = 42, EventName = "ConfinementViolated", Level = LogLevel.Warning, Message = "Confinement of {Application} refused {Revision}: {Count} object(s) outside its policy, nothing applied or pruned: {Violations}")]
    private static partial void ConfinementViolatedCore(ILogger logger, string application, string revision, int count, string violations);

    /// <summary>Logs a revision the confinement policy refused (<c>the revision</c> when it is not known).</summary>
    public static void ConfinementViolated(ILogger logger, string application, string? revision, int count, string violations) =>
        ConfinementViolatedCore(logger, application, revision is null ? "the revision" : "revision " + revision, count, violations);

    /// <summary>The optional <c> at {revision}</c> of a message: empty without a revision (never "at (null)").</summary>
    private static string At(string? revision) => string.IsNullOrEmpty(revision) ? string.Empty : " at " + revision;
}
