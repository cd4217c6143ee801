using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Diagnostics;

/// <summary>Application sources: applications added, changed, removed or refused while the host runs (ids 20–24); dependencies between applications (25–26).</summary>
internal static partial class Log
{
    [LoggerMessage(20, LogLevel.Information, "Application {Application} added by source {Source}: its reconcile loop starts")]
    public static partial void ApplicationAdded(ILogger logger, string application, string source);

    [LoggerMessage(21, LogLevel.Information, "Application {Application} changed in source {Source}: its reconcile loop restarts with the new definition")]
    public static partial void ApplicationChanged(ILogger logger, string application, string source);

    [LoggerMessage(22, LogLevel.Information, "Application {Application} removed from source {Source}: its reconcile loop stops; its objects stay in the cluster, not pruned")]
    public static partial void ApplicationRemoved(ILogger logger, string application, string source);

    [LoggerMessage(23, LogLevel.Error, "Application {Application} from source {Source} refused: {Reasons}{Kept}")]
    public static partial void ApplicationRefused(ILogger logger, string application, string source, string reasons, string kept);

    [LoggerMessage(24, LogLevel.Error, "Application source {Source} failed to give its applications and is no longer followed; the applications it gave before keep running unchanged: {Message}")]
    public static partial void ApplicationSourceFailed(ILogger logger, string source, string message);

    [LoggerMessage(25, LogLevel.Information, "Application {Application} does not reconcile yet: {Message}")]
    public static partial void DependencyNotReady(ILogger logger, string application, string message);

    [LoggerMessage(26, LogLevel.Information, "Application {Application}: every dependency is ready; it reconciles")]
    public static partial void DependenciesReady(ILogger logger, string application);

    [LoggerMessage(27, LogLevel.Error, "Applying a change of the application sources failed; the applications keep running as they were: {Message}")]
    public static partial void ApplicationRefreshFailed(ILogger logger, Exception exception, string message);
}
