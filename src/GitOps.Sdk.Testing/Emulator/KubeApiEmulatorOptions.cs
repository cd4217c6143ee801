namespace GitOps.Sdk.Testing;

/// <summary>Options of <see cref="KubeApiEmulator.StartAsync"/>.</summary>
public sealed class KubeApiEmulatorOptions
{
    /// <summary>Gets or sets the TCP port on 127.0.0.1; 0 picks a free one.</summary>
    /// <value>Default 0.</value>
    public int Port { get; set; }

    /// <summary>Gets or sets a value indicating whether the emulator serves HTTPS with a self-signed certificate (trusted by the kubeconfig it writes).</summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool UseTls { get; set; }

    /// <summary>Gets or sets where the kubeconfig is written; <see langword="null"/> writes one into a temporary folder.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? KubeconfigPath { get; set; }

    /// <summary>
    /// Gets or sets a folder the state is loaded from at start and kept in: every change is appended to a log and
    /// flushed to disk before the write is answered, so the state survives a crash or SIGKILL; the log is folded into a
    /// snapshot at start and stop. <see langword="null"/> keeps state in memory only.
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? StateDirectory { get; set; }

    /// <summary>Gets or sets how many change events are kept for watch resumption; older resourceVersions get 410 Gone.</summary>
    /// <value>Default 10000.</value>
    public int WatchHistorySize { get; set; } = 10_000;

    /// <summary>Gets or sets the interval of watch bookmarks when a client asks for them (<c>allowWatchBookmarks=true</c>).</summary>
    /// <value>Default 1 minute, like the API server.</value>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets the clock used for timestamps, watch timeouts and bookmarks.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Gets or sets how long a new CustomResourceDefinition takes to be served, like a real API server's naming and
    /// establishing controllers: the CRD is stored with <c>status.conditions: null</c> and empty <c>acceptedNames</c>;
    /// after this delay (on <see cref="TimeProvider"/>) <c>NamesAccepted</c> and then <c>Established</c> become
    /// <c>True</c>. Until then the group version's discovery answers 404, <c>/apis</c> does not list it and its
    /// resource endpoints answer 404. <see cref="TimeSpan.Zero"/> establishes the CRD within the write that creates it.
    /// </summary>
    /// <value>Default 150 ms (a real kube-apiserver took 83 to 286 ms in the recordings).</value>
    public TimeSpan CrdEstablishDelay { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Gets or sets a value indicating whether the default namespaces (<c>default</c>, <c>kube-system</c>, <c>kube-public</c>, <c>kube-node-lease</c>) exist at start.</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool CreateDefaultNamespaces { get; set; } = true;
}
