using System.Text.Json;
using static GitOps.Sdk.Health.StatusFields;

namespace GitOps.Sdk.Health;

/// <summary>Health of the <c>apps</c> workloads, as <c>kubectl rollout status</c> judges a rollout.</summary>
internal static class WorkloadHealth
{
    public static HealthResult Deployment(KubeObject o)
    {
        if (Bool(o.Json, "spec", "paused") == true)
        {
            return new HealthResult(HealthStatus.Suspended, "Deployment is paused");
        }

        if (!GenerationObserved(o))
        {
            return new HealthResult(HealthStatus.Progressing, "Waiting for rollout to finish: observed deployment generation less than desired generation");
        }

        if (FindCondition(o, "Progressing") is { } progressing && progressing.Reason == "ProgressDeadlineExceeded")
        {
            return new HealthResult(HealthStatus.Degraded, $"Deployment \"{o.Name}\" exceeded its progress deadline");
        }

        var replicas = Int(o.Json, "spec", "replicas") ?? 1;
        var updated = Int(o.Json, "status", "updatedReplicas") ?? 0;
        var total = Int(o.Json, "status", "replicas") ?? 0;
        var available = Int(o.Json, "status", "availableReplicas") ?? 0;
        if (updated < replicas)
        {
            return new HealthResult(HealthStatus.Progressing, $"Waiting for rollout to finish: {updated} out of {replicas} new replicas have been updated...");
        }

        if (total > updated)
        {
            return new HealthResult(HealthStatus.Progressing, $"Waiting for rollout to finish: {total - updated} old replicas are pending termination...");
        }

        if (available < updated)
        {
            return new HealthResult(HealthStatus.Progressing, $"Waiting for rollout to finish: {available} of {updated} updated replicas are available...");
        }

        return HealthResult.Healthy;
    }

    public static HealthResult StatefulSet(KubeObject o)
    {
        var observed = Int(o.Json, "status", "observedGeneration") ?? 0;
        var generation = Int(o.Json, "metadata", "generation") ?? 0;
        if (observed == 0 || generation > observed)
        {
            return new HealthResult(HealthStatus.Progressing, "Waiting for statefulset spec update to be observed...");
        }

        var replicas = Int(o.Json, "spec", "replicas") ?? 1;
        var ready = Int(o.Json, "status", "readyReplicas") ?? 0;
        if (ready < replicas)
        {
            return new HealthResult(HealthStatus.Progressing, $"Waiting for {replicas - ready} pods to be ready...");
        }

        var strategy = Str(o.Json, "spec", "updateStrategy", "type");
        if (strategy == "OnDelete")
        {
            return new HealthResult(HealthStatus.Healthy, "statefulset has OnDelete update strategy");
        }

        if (strategy is null or "RollingUpdate")
        {
            var partition = Int(o.Json, "spec", "updateStrategy", "rollingUpdate", "partition") ?? 0;
            if (partition > 0)
            {
                var updated = Int(o.Json, "status", "updatedReplicas") ?? 0;
                if (updated < replicas - partition)
                {
                    return new HealthResult(HealthStatus.Progressing, $"Waiting for partitioned roll out to finish: {updated} out of {replicas - partition} new pods have been updated...");
                }

                return new HealthResult(HealthStatus.Healthy, $"partitioned roll out complete: {updated} new pods have been updated...");
            }
        }

        var current = Str(o.Json, "status", "currentRevision");
        var update = Str(o.Json, "status", "updateRevision");
        if (update is not null && !string.Equals(current, update, StringComparison.Ordinal))
        {
            return new HealthResult(HealthStatus.Progressing, $"waiting for statefulset rolling update to complete {Int(o.Json, "status", "updatedReplicas") ?? 0} pods at revision {update}...");
        }

        return new HealthResult(HealthStatus.Healthy, "statefulset rolling update complete");
    }

    public static HealthResult DaemonSet(KubeObject o)
    {
        if (!GenerationObserved(o))
        {
            return new HealthResult(HealthStatus.Progressing, "Waiting for rollout to finish: observed daemon set generation less than desired generation");
        }

        if (Str(o.Json, "spec", "updateStrategy", "type") == "OnDelete")
        {
            return new HealthResult(HealthStatus.Healthy, "daemon set has OnDelete update strategy");
        }

        var desired = Int(o.Json, "status", "desiredNumberScheduled") ?? 0;
        var updated = Int(o.Json, "status", "updatedNumberScheduled") ?? 0;
        var available = Int(o.Json, "status", "numberAvailable") ?? 0;
        if (updated < desired)
        {
            return new HealthResult(HealthStatus.Progressing, $"Waiting for daemon set \"{o.Name}\" rollout to finish: {updated} out of {desired} new pods have been updated...");
        }

        if (available < desired)
        {
            return new HealthResult(HealthStatus.Progressing, $"Waiting for daemon set \"{o.Name}\" rollout to finish: {available} of {desired} updated pods are available...");
        }

        return HealthResult.Healthy;
    }

    public static HealthResult ReplicaSet(KubeObject o)
    {
        if (!GenerationObserved(o))
        {
            return new HealthResult(HealthStatus.Progressing, "Waiting for rollout to finish: observed replica set generation less than desired generation");
        }

        if (FindCondition(o, "ReplicaFailure") is { Status: "True" } failure)
        {
            return new HealthResult(HealthStatus.Degraded, failure.Message ?? "ReplicaFailure");
        }

        var replicas = Int(o.Json, "spec", "replicas") ?? 1;
        var available = Int(o.Json, "status", "availableReplicas") ?? 0;
        return available < replicas
            ? new HealthResult(HealthStatus.Progressing, $"Waiting for rollout to finish: {available} out of {replicas} new replicas are available...")
            : HealthResult.Healthy;
    }
}
