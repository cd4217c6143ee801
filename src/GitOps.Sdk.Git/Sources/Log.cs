using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Git;

/// <summary>Log messages of the Git source provider (URLs are always redacted).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "git {Url}: {Ref} resolves to {Revision}")]
    public static partial void Resolved(ILogger logger, string url, string @ref, string revision);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "git {Url}: downloading {Revision}")]
    public static partial void Downloading(ILogger logger, string url, string revision);

    [LoggerMessage(EventId = 4003, EventName = "Fetched", Level = LogLevel.Debug, Message = "git {Url}: {Revision}{Path} is {Digest} (downloaded: {Downloaded})")]
    private static partial void FetchedCore(ILogger logger, string url, string revision, string path, string digest, bool downloaded);

    /// <summary>Logs a fetched revision; the whole repository (an empty path) leaves the path out.</summary>
    public static void Fetched(ILogger logger, string url, string revision, string path, string digest, bool downloaded) =>
        FetchedCore(logger, url, revision, path.Length == 0 ? string.Empty : $" path '{path}'", digest, downloaded);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "git {Url}: {Revision} verified by policy '{Policy}': signed by {Signer}")]
    public static partial void Verified(ILogger logger, string url, string revision, string policy, string signer);
}
