using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Kubernetes.Applications;

/// <summary>Log messages of GitOps.Sdk.Kubernetes.Applications: event ids 11000–11999 (docs/operating.md, "Logs").</summary>
internal static partial class Log
{
    [LoggerMessage(11001, LogLevel.Information, "Watching GitOpsApplication resources in {Scope}")]
    public static partial void Watching(ILogger logger, string scope);

    [LoggerMessage(11002, LogLevel.Warning, "GitOpsApplication resources cannot be watched yet (is the CustomResourceDefinition {Crd} installed? kubectl apply --server-side -f deploy/crds/gitopsapplications.gitops.sdk.io.yaml, or set GitOpsApplicationSourceOptions.InstallCrd): {Reason}; trying again with backoff")]
    public static partial void NotServed(ILogger logger, string crd, string reason);

    [LoggerMessage(11003, LogLevel.Debug, "GitOpsApplication resources still cannot be watched (CustomResourceDefinition {Crd}): {Reason}; attempt {Attempt}")]
    public static partial void StillNotServed(ILogger logger, string crd, string reason, int attempt);

    [LoggerMessage(11004, LogLevel.Information, "Installed the CustomResourceDefinition {Crd} ({Outcome}); it is Established")]
    public static partial void CrdInstalled(ILogger logger, string crd, string outcome);

    [LoggerMessage(11005, LogLevel.Error, "GitOpsApplication {Resource} is not offered: its application name {Application} is taken by GitOpsApplication {Owner}, created first; rename one of them")]
    public static partial void DuplicateName(ILogger logger, string resource, string owner, string application);

    [LoggerMessage(11006, LogLevel.Debug, "Wrote the status of GitOpsApplication {Resource} (generation {Generation}, Ready {Ready})")]
    public static partial void StatusWritten(ILogger logger, string resource, long generation, string ready);

    [LoggerMessage(11007, LogLevel.Warning, "Writing the status of GitOpsApplication {Resource} failed: {Reason}; it is tried again after the next change")]
    public static partial void StatusWriteFailed(ILogger logger, string resource, string reason);
}
