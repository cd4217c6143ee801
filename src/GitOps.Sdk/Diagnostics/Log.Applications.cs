using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Diagnostics;

/// <summary>Log messages of the application set (sources, added, changed and removed applications).</summary>
internal static partial class Log
{
    [LoggerMessage(70, LogLevel.Information, "Application {Application} added by source {Source}; its reconcile loop starts")]
    public static partial void ApplicationAdded(ILogger logger, string application, string source);

    [LoggerMessage(71, LogLevel.Information, "Application {Application} changed; its reconcile loop restarts with the new settings")]
    public static partial void ApplicationChanged(ILogger logger, string application);

    [LoggerMessage(72, LogLevel.Information, "Application {Application} removed; its reconcile loop stops and its objects stay in the cluster")]
    public static partial void ApplicationRemoved(ILogger logger, string application);

    [LoggerMessage(73, LogLevel.Error, "Application source {Source} refused: {Problem}; its previous applications stay in force")]
    public static partial void ApplicationSourceRefused(ILogger logger, string source, string problem);

    [LoggerMessage(74, LogLevel.Error, "Application source {Source} failed to give a snapshot; its previous applications stay in force")]
    public static partial void ApplicationSourceFailed(ILogger logger, Exception exception, string source);
}
