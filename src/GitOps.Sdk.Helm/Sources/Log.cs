using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Helm.Sources;

internal static partial class Log
{
    [LoggerMessage(EventId = 3200, Level = LogLevel.Debug, Message = "Helm index {Repository} unchanged (HTTP 304)")]
    public static partial void IndexUnchanged(ILogger logger, string repository);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Debug, Message = "Downloaded Helm index {Repository} ({Bytes} bytes)")]
    public static partial void IndexDownloaded(ILogger logger, string repository, long bytes);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Debug, Message = "Chart {Chart} {Version} from {Repository} served from cache")]
    public static partial void CacheHit(ILogger logger, string chart, string version, string repository);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Information, Message = "Fetched chart {Chart} {Version} from {Repository}: {Digest}, {Files} files")]
    public static partial void Fetched(ILogger logger, string chart, string version, string repository, string digest, int files);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Warning, Message = "Chart {Chart} {Version} in {Repository} has no digest in the index; its archive is trusted as downloaded")]
    public static partial void NoDigest(ILogger logger, string chart, string version, string repository);
}
