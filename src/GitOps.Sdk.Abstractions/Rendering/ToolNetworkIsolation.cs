namespace GitOps.Sdk;

/// <summary>Whether an external renderer (helm, kustomize) runs without network access.</summary>
public enum ToolNetworkIsolation
{
    /// <summary>
    /// Run the tool in a network namespace of its own (no interfaces but a downed loopback) when the platform allows it
    /// (Linux with <c>unshare</c>: as root, or through an unprivileged user namespace); otherwise run it as is and log
    /// a warning saying why isolation is unavailable.
    /// </summary>
    Auto,

    /// <summary>Run the tool only without network access; a render fails when the platform cannot isolate it.</summary>
    Required,

    /// <summary>Run the tool with the host's network (the content checks before the run still apply).</summary>
    Off,
}
