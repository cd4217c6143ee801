using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Oci;

internal static partial class Log
{
    [LoggerMessage(EventId = 6100, Level = LogLevel.Debug, Message = "Fetched a registry token for {Registry} scope {Scope}, valid for {Lifetime}")]
    public static partial void TokenFetched(ILogger logger, string registry, string scope, TimeSpan lifetime);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Debug, Message = "Resolved {Repository}:{Reference} to {Digest}")]
    public static partial void ManifestResolved(ILogger logger, string repository, string reference, string digest);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Debug, Message = "Downloaded blob {Digest} ({Size} bytes) from {Repository}")]
    public static partial void BlobDownloaded(ILogger logger, string repository, string digest, long size);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Debug, Message = "HEAD of {Repository}:{Reference} gave no digest (status {Status}); falling back to GET")]
    public static partial void HeadFallback(ILogger logger, string repository, string reference, int status);

    [LoggerMessage(EventId = 6110, Level = LogLevel.Debug, Message = "OCI artifact {Source} at {Revision} served from cache")]
    public static partial void CacheHit(ILogger logger, string source, string revision);

    [LoggerMessage(EventId = 6111, Level = LogLevel.Information, Message = "Fetched OCI artifact {Source} at {Revision}: layer {LayerDigest} ({MediaType}), {Files} files")]
    public static partial void Fetched(ILogger logger, string source, string revision, string layerDigest, string mediaType, int files);
}
