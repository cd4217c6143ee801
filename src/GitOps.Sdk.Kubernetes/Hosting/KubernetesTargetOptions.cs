using System.ComponentModel.DataAnnotations;
using k8s;
using Microsoft.Extensions.Configuration;

namespace GitOps.Sdk.Kubernetes;

/// <summary>Settings of the Kubernetes target: how to reach the cluster and how to write to it.</summary>
public sealed class KubernetesTargetOptions
{
    /// <summary>
    /// Gets or sets the kubeconfig file. <see langword="null"/> resolves the cluster as kubectl does: the files of
    /// <c>$KUBECONFIG</c> (separated by <c>:</c>, <c>;</c> on Windows; merged, the first file setting a value wins; missing
    /// files are ignored), else <c>~/.kube/config</c>, else the pod's service account (in-cluster). Configuration key:
    /// <c>GitOps:Target:Kubeconfig</c>.
    /// <value>Default: <see langword="null"/>.</value>
    /// </summary>
    [ConfigurationKeyName("Kubeconfig")]
    public string? KubeconfigPath { get; set; }

    /// <summary>
    /// Gets or sets a Secret of the management cluster (the default target) that holds this target's kubeconfig, read
    /// before the first request and again after <see cref="KubeconfigSecretReference.RefreshInterval"/> (rotated
    /// credentials are picked up without a restart); <see cref="Context"/> picks its context. Only for a named target
    /// (<c>AddKubernetesTarget("prod", …)</c>), and the default target must be registered too. Takes precedence over
    /// <see cref="KubeconfigPath"/> and <see cref="InCluster"/>; a ready client set in code takes precedence over it.
    /// <value>Default: <see langword="null"/>.</value>
    /// </summary>
    public KubeconfigSecretReference? KubeconfigSecret { get; set; }

    /// <summary>Gets or sets the kubeconfig context; <see langword="null"/> for the current context. <value>Default: <see langword="null"/>.</value></summary>
    public string? Context { get; set; }

    /// <summary>Gets or sets a value indicating whether the in-cluster service account is used even when a kubeconfig exists. <value>Default: <see langword="false"/>.</value></summary>
    public bool InCluster { get; set; }

    /// <summary>
    /// Gets or sets the service-account folder used in a pod (files <c>token</c>, <c>ca.crt</c>, <c>namespace</c>), with
    /// <c>KUBERNETES_SERVICE_HOST</c> and <c>KUBERNETES_SERVICE_PORT</c>. The token is read again every minute (it is rotated).
    /// <value>Default: <c>/var/run/secrets/kubernetes.io/serviceaccount</c>.</value>
    /// </summary>
    [Required]
    public string ServiceAccountDirectory { get; set; } = ClusterAccess.DefaultServiceAccountDirectory;

    /// <summary>Gets or sets a ready client to use; it must be a <see cref="k8s.Kubernetes"/> instance. Takes precedence over the other connection settings. <value>Default: <see langword="null"/>.</value></summary>
    public IKubernetes? Client { get; set; }

    /// <summary>Gets or sets the field manager for server-side apply. <value>Default: <see cref="WellKnown.FieldManager"/> (<c>gitops-sdk</c>).</value></summary>
    [Required]
    public string FieldManager { get; set; } = WellKnown.FieldManager;

    /// <summary>Gets or sets how many objects of one batch (same wave and kind) are written at once. <value>Default: 4.</value></summary>
    [Range(1, 256)]
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Gets or sets the namespace holding inventories (created if missing). <value>Default: <c>gitops-system</c>.</value></summary>
    [Required]
    public string InventoryNamespace { get; set; } = "gitops-system";

    /// <summary>Gets or sets the kind of object an inventory is stored in. <value>Default: <see cref="InventoryObjectKind.ConfigMap"/>.</value></summary>
    public InventoryObjectKind InventoryKind { get; set; } = InventoryObjectKind.ConfigMap;

    /// <summary>Gets or sets how often a failed request (429, 5xx, timeout, connection error) is retried. <value>Default: 5.</value></summary>
    [Range(0, 100)]
    public int MaxRetries { get; set; } = 5;

    /// <summary>Gets or sets the first retry delay when the server gives no <c>Retry-After</c>; it doubles per attempt. <value>Default: 200 ms.</value></summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets or sets the longest wait between retries, also capping <c>Retry-After</c>. <value>Default: 30 s.</value></summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the timeout of one request (not of watches). <value>Default: 30 s.</value></summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how long to wait for a CustomResourceDefinition to become <c>Established</c> before its custom resources are applied. <value>Default: 60 s.</value></summary>
    public TimeSpan CrdEstablishedTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how long to wait for a deleted object to disappear before it is created again (recreate). <value>Default: 60 s.</value></summary>
    public TimeSpan DeleteTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets how often watch caches list everything again, catching anything a watch missed. <value>Default: 10 min.</value></summary>
    public TimeSpan ResyncPeriod { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets how long the server keeps one watch request open before the cache re-watches. <value>Default: 5 min.</value></summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the first reconnect delay of a broken watch; it doubles per failure up to <see cref="MaxRetryDelay"/>. <value>Default: 100 ms.</value></summary>
    public TimeSpan WatchReconnectBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets or sets the page size of list requests. <value>Default: 500.</value></summary>
    [Range(1, 10000)]
    public int ListPageSize { get; set; } = 500;
}

/// <summary>Where an application's inventory is stored in the cluster.</summary>
public enum InventoryObjectKind
{
    /// <summary>A ConfigMap.</summary>
    ConfigMap,

    /// <summary>A Secret (when ConfigMaps are readable by too many).</summary>
    Secret,
}
