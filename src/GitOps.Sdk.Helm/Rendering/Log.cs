using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Helm.Rendering;

internal static partial class Log
{
    [LoggerMessage(EventId = 3100, Level = LogLevel.Debug, Message = "Rendering chart {Chart} as release {Release} for application {Application} at {Revision}")]
    public static partial void RenderingChart(ILogger logger, string chart, string release, string application, string revision);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "helm template failed for application {Application} at {Revision}: exit code {ExitCode}")]
    public static partial void HelmFailed(ILogger logger, string application, string revision, int exitCode);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "helm template for application {Application} at {Revision} was stopped after {Timeout}")]
    public static partial void HelmTimedOut(ILogger logger, string application, string revision, TimeSpan timeout);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "Rendered {Objects} objects and {Hooks} hooks for application {Application}")]
    public static partial void Rendered(ILogger logger, int objects, int hooks, string application);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Debug, Message = "Left out Helm hook {Kind} {Name} ({Events}) of application {Application}: only install and upgrade hooks run as sync hooks; HelmRenderOptions.ApplyHooks applies every hook as a regular object")]
    public static partial void HookLeftOut(ILogger logger, string kind, string name, string events, string application);

    [LoggerMessage(EventId = 3110, Level = LogLevel.Warning, Message = "helm runs with network access for application {Application}: network isolation is unavailable ({Reason})")]
    public static partial void NetworkIsolationUnavailable(ILogger logger, string application, string reason);
}
