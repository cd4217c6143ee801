using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Diagnostics;

/// <summary>Log messages of plan execution.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 50, EventName = "StepDone", Message = "{Application}: {Object} {Outcome}{DryRun}{Message}")]
    private static partial void StepDoneCore(ILogger logger, LogLevel level, string application, ResourceKey @object, ApplyOutcome outcome, string dryRun, string message);

    /// <summary>
    /// Logs a finished step: a failed one at Warning, the others at Information; a step without a message ends after
    /// its outcome (never "(null)").
    /// </summary>
    public static void StepDone(ILogger logger, string application, ResourceKey @object, ApplyOutcome outcome, bool dryRun, string? message) =>
        StepDoneCore(
            logger,
            outcome == ApplyOutcome.Failed ? LogLevel.Warning : LogLevel.Information,
            application,
            @object,
            outcome,
            dryRun ? " (dry-run)" : string.Empty,
            string.IsNullOrEmpty(message) ? string.Empty : " " + message);

    [LoggerMessage(51, LogLevel.Information, "{Application}: waiting for CustomResourceDefinition {Crd} to be established")]
    public static partial void WaitingForCrd(ILogger logger, string application, string crd);

    [LoggerMessage(52, LogLevel.Warning, "{Application}: {Object} is deleted and created again: {Reason}")]
    public static partial void Recreating(ILogger logger, string application, ResourceKey @object, string reason);
}
