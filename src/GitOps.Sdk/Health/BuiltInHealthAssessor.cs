using System.Text.Json;

namespace GitOps.Sdk.Health;

/// <summary>
/// The built-in health rules, following the semantics of the Kubernetes controllers (and of gitops-engine's
/// <c>pkg/health</c>): Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod, PersistentVolumeClaim,
/// Service (LoadBalancer), Ingress, CustomResourceDefinition, APIService, HorizontalPodAutoscaler; for other kinds the
/// generic <c>observedGeneration</c> and <c>Stalled</c>/<c>Reconciling</c>/<c>Ready</c> conditions (kstatus); objects
/// without status are healthy. The engine asks host-registered assessors first.
/// </summary>
internal sealed class BuiltInHealthAssessor : IHealthAssessor
{
    /// <summary>Gets the shared instance.</summary>
    public static BuiltInHealthAssessor Instance { get; } = new();

    /// <inheritdoc />
    public HealthResult? Assess(KubeObject live)
    {
        ArgumentNullException.ThrowIfNull(live);
        if (live.Metadata.ValueKind == JsonValueKind.Object && live.Metadata.TryGetProperty("deletionTimestamp", out _))
        {
            return new HealthResult(HealthStatus.Progressing, "Pending deletion");
        }

        return (live.Group, live.Kind) switch
        {
            ("apps" or "extensions", "Deployment") => WorkloadHealth.Deployment(live),
            ("apps", "StatefulSet") => WorkloadHealth.StatefulSet(live),
            ("apps" or "extensions", "DaemonSet") => WorkloadHealth.DaemonSet(live),
            ("apps" or "extensions", "ReplicaSet") => WorkloadHealth.ReplicaSet(live),
            ("batch", "Job") => BatchHealth.Job(live),
            ("batch", "CronJob") => BatchHealth.CronJob(live),
            ("", "Pod") => PodHealth.Pod(live),
            ("", "PersistentVolumeClaim") => StorageHealth.Pvc(live),
            ("", "Service") => NetworkHealth.Service(live),
            ("networking.k8s.io" or "extensions", "Ingress") => NetworkHealth.Ingress(live),
            ("apiextensions.k8s.io", "CustomResourceDefinition") => ApiExtensionHealth.Crd(live),
            ("apiregistration.k8s.io", "APIService") => ApiExtensionHealth.ApiService(live),
            ("autoscaling", "HorizontalPodAutoscaler") => AutoscalingHealth.Hpa(live),
            _ => GenericHealth.Generic(live),
        };
    }
}
