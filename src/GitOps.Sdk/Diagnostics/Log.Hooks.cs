using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Diagnostics;

/// <summary>Log messages of sync hooks, the wave health gate and the wait for health.</summary>
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

    [LoggerMessage(65, LogLevel.Information, "{Application}: waiting up to {Timeout} (WaveHealthTimeout) for wave {Wave} to become healthy before wave {Next}: {Waiting}")]
    public static partial void WaitingForWave(ILogger logger, string application, TimeSpan timeout, int wave, int next, string waiting);

    [LoggerMessage(66, LogLevel.Warning, "{Application}: {Message}")]
    public static partial void WaveNotHealthy(ILogger logger, string application, string message);

    [LoggerMessage(68, LogLevel.Information, "{Application}: waiting up to {Timeout} (HealthTimeout) for health {Purpose}: {Waiting}")]
    public static partial void WaitingForHealth(ILogger logger, string application, TimeSpan timeout, string purpose, string waiting);

    [LoggerMessage(67, LogLevel.Warning, "{Application}: hook {Object} could not be deleted ({Policy}): {Message}")]
    public static partial void HookDeleteFailed(ILogger logger, string application, ResourceKey @object, string policy, string message);
}
