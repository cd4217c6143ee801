using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Rendering;

internal static partial class Log
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "Application {Application} at {Revision}: rendering with {Renderer}")]
    public static partial void Rendering(ILogger logger, string application, string revision, string renderer);

    [LoggerMessage(EventId = 301, Level = LogLevel.Debug, Message = "Application {Application} at {Revision}: render cache hit ({Renderer})")]
    public static partial void CacheHit(ILogger logger, string application, string revision, string renderer);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Application {Application} at {Revision}: rendering failed with {Count} errors")]
    public static partial void RenderFailed(ILogger logger, string application, string revision, int count);
}
