namespace GitOps.Sdk.Health;

/// <summary>Health of a PersistentVolumeClaim, by its phase.</summary>
internal static class StorageHealth
{
    public static HealthResult Pvc(KubeObject o) => StatusFields.Str(o.Json, "status", "phase") switch
    {
        "Bound" => HealthResult.Healthy,
        "Pending" => new HealthResult(HealthStatus.Progressing, "PersistentVolumeClaim is pending"),
        "Lost" => new HealthResult(HealthStatus.Degraded, "PersistentVolumeClaim lost its volume"),
        null => new HealthResult(HealthStatus.Progressing, "PersistentVolumeClaim has no phase yet"),
        var p => new HealthResult(HealthStatus.Unknown, $"PersistentVolumeClaim phase {p}"),
    };
}
