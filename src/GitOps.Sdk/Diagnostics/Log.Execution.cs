using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Diagnostics;

/// <summary>Log messages of plan execution.</summary>
internal static partial class Log
{
    [LoggerMessage(50, LogLevel.Information, "{Application}: {Object} {Outcome}{DryRun} {Message}")]
    public static partial void StepDone(ILogger logger, string application, ResourceKey @object, ApplyOutcome outcome, string dryRun, string? message);

    [LoggerMessage(51, LogLevel.Information, "{Application}: waiting for CustomResourceDefinition {Crd} to be established")]
    public static partial void WaitingForCrd(ILogger logger, string application, string crd);

    [LoggerMessage(52, LogLevel.Warning, "{Application}: {Object} is deleted and created again: {Reason}")]
    public static partial void Recreating(ILogger logger, string application, ResourceKey @object, string reason);
}
