using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Diagnostics;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Reconciling {Application} (trigger {Trigger})")]
    public static partial void ReconcileStarting(ILogger logger, string application, string trigger);

    [LoggerMessage(2, LogLevel.Information, "Reconciled {Application} at {Revision}: {Outcome} in {DurationMs} ms")]
    public static partial void ReconcileFinished(ILogger logger, string application, string? revision, string outcome, double durationMs);

    [LoggerMessage(3, LogLevel.Warning, "Reconcile of {Application} failed at stage {Stage}: {Message}")]
    public static partial void ReconcileFailed(ILogger logger, string application, string stage, string message);

    [LoggerMessage(4, LogLevel.Warning, "Drift in {Application}: {Drift}")]
    public static partial void DriftDetected(ILogger logger, string application, string drift);

    [LoggerMessage(5, LogLevel.Information, "Applied {Application} at {Revision}: {Created} created, {Configured} configured, {Deleted} deleted, {Failed} failed")]
    public static partial void Applied(ILogger logger, string application, string? revision, int created, int configured, int deleted, int failed);

    [LoggerMessage(6, LogLevel.Information, "Plan of {Application} held for approval (hash {Hash}): {Reason}")]
    public static partial void PlanHeld(ILogger logger, string application, string hash, string? reason);

    [LoggerMessage(EventId = 7, EventName = "HealthChanged", Level = LogLevel.Information, Message = "Health of {Application} changed to {Health}{Message}")]
    private static partial void HealthChangedCore(ILogger logger, string application, string health, string message);

    /// <summary>Logs a health change; without a message the line ends after the health (never "(null)").</summary>
    public static void HealthChanged(ILogger logger, string application, string health, string? message) =>
        HealthChangedCore(logger, application, health, string.IsNullOrEmpty(message) ? string.Empty : ": " + message);

    [LoggerMessage(8, LogLevel.Error, "Unexpected error reconciling {Application} at stage {Stage}")]
    public static partial void UnexpectedError(ILogger logger, Exception exception, string application, string stage);

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

    [LoggerMessage(15, LogLevel.Warning, "Empty render of {Application} at {Revision}: pruning is off for this reconcile (set AllowEmptyPrune to allow it)")]
    public static partial void EmptyRenderNoPrune(ILogger logger, string application, string? revision);

    [LoggerMessage(16, LogLevel.Debug, "{Application}: {Kind} is not watched yet ({Reason}); watching it after the apply")]
    public static partial void WatchDeferred(ILogger logger, string application, GroupKind kind, string reason);

    [LoggerMessage(17, LogLevel.Warning, "{Application}: watching {Kind} failed ({Reason}); trying again on the next reconcile")]
    public static partial void WatchFailed(ILogger logger, string application, GroupKind kind, string reason);

    [LoggerMessage(42, LogLevel.Warning, "Confinement of {Application} refused revision {Revision}: {Count} object(s) outside its policy, nothing applied or pruned: {Violations}")]
    public static partial void ConfinementViolated(ILogger logger, string application, string? revision, int count, string violations);
}
