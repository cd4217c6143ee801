using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Diagnostics;

/// <summary>Log messages of sync hooks and the wave health gate.</summary>
internal static partial class Log
{
    [LoggerMessage(60, LogLevel.Information, "{Application}: created {Phase} hook {Object} (wave {Wave})")]
    public static partial void HookCreated(ILogger logger, string application, string phase, ResourceKey @object, int wave);

    [LoggerMessage(61, LogLevel.Information, "{Application}: {Phase} hook {Object} succeeded: {Message}")]
    public static partial void HookSucceeded(ILogger logger, string application, string phase, ResourceKey @object, string message);

    [LoggerMessage(62, LogLevel.Warning, "{Application}: {Phase} hook {Object} failed: {Message}")]
    public static partial void HookFailed(ILogger logger, string application, string phase, ResourceKey @object, string message);

    [LoggerMessage(63, LogLevel.Information, "{Application}: deleted hook {Object} ({Policy})")]
    public static partial void HookDeleted(ILogger logger, string application, ResourceKey @object, string policy);

    [LoggerMessage(64, LogLevel.Information, "{Application}: {Reason}")]
    public static partial void HookLeftOut(ILogger logger, string application, string reason);

    [LoggerMessage(65, LogLevel.Debug, "{Application}: waiting for wave {Wave} to be healthy before wave {Next}")]
    public static partial void WaitingForWave(ILogger logger, string application, int wave, int next);

    [LoggerMessage(66, LogLevel.Warning, "{Application}: {Message}")]
    public static partial void WaveNotHealthy(ILogger logger, string application, string message);

    [LoggerMessage(67, LogLevel.Warning, "{Application}: hook {Object} could not be deleted ({Policy}): {Message}")]
    public static partial void HookDeleteFailed(ILogger logger, string application, ResourceKey @object, string policy, string message);
}
