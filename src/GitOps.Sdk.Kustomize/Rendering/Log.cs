using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Kustomize.Rendering;

internal static partial class Log
{
    [LoggerMessage(EventId = 5200, Level = LogLevel.Debug, Message = "Building kustomization {Path} with {Tool} for application {Application} at {Revision}")]
    public static partial void Building(ILogger logger, string path, string tool, string application, string revision);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "kustomize build failed for application {Application} at {Revision}: exit code {ExitCode}")]
    public static partial void BuildFailed(ILogger logger, string application, string revision, int exitCode);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "kustomize build for application {Application} at {Revision} was stopped after {Timeout}")]
    public static partial void TimedOut(ILogger logger, string application, string revision, TimeSpan timeout);

    [LoggerMessage(EventId = 5210, Level = LogLevel.Warning, Message = "kustomize runs with network access for application {Application}: network isolation is unavailable ({Reason})")]
    public static partial void NetworkIsolationUnavailable(ILogger logger, string application, string reason);
}
