using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Kubernetes;

/// <summary>Source-generated log messages of the Kubernetes target.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Debug, "{Method} {Path} failed ({Failure}); retry {Attempt} in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string method, string path, string failure, int attempt, double delayMs);

    [LoggerMessage(1002, LogLevel.Debug, "Discovery of {ApiVersion}: {Count} kinds")]
    public static partial void DiscoveryRead(ILogger logger, string apiVersion, int count);

    [LoggerMessage(1003, LogLevel.Debug, "Listed {Resource}: {Count} objects at resourceVersion {ResourceVersion}")]
    public static partial void Listed(ILogger logger, string resource, int count, string resourceVersion);

    [LoggerMessage(1004, LogLevel.Information, "Watching {Resource} ({Count} objects cached)")]
    public static partial void WatchStarted(ILogger logger, string resource, int count);

    [LoggerMessage(1005, LogLevel.Information, "Watch of {Resource} expired at resourceVersion {ResourceVersion}; listing again")]
    public static partial void WatchExpired(ILogger logger, string resource, string resourceVersion);

    [LoggerMessage(1006, LogLevel.Warning, "Watch of {Resource} failed ({Failure}); reconnect attempt {Attempt}")]
    public static partial void WatchFailed(ILogger logger, string resource, string failure, int attempt);

    [LoggerMessage(1009, LogLevel.Debug, "Inventory of {Application} saved in {Namespace}/{Name} ({Count} objects)")]
    public static partial void InventorySaved(ILogger logger, string application, string @namespace, string name, int count);

    [LoggerMessage(1011, LogLevel.Error, "A subscriber of live changes failed on {Object}")]
    public static partial void SubscriberFailed(ILogger logger, ResourceKey @object, Exception exception);

    [LoggerMessage(1012, LogLevel.Debug, "Discovery does not serve {Kind} in {ApiVersion} yet (CustomResourceDefinition {Crd} is Established); reading it again in {DelayMs} ms")]
    public static partial void DiscoveryLagging(ILogger logger, string kind, string apiVersion, string crd, double delayMs);

    [LoggerMessage(1010, LogLevel.Information, "Lease {Namespace}/{Name}: {Identity} {Transition}")]
    public static partial void LeaseTransition(ILogger logger, string @namespace, string name, string identity, string transition);
}
