using System.Globalization;
using System.Text.Json;

namespace GitOps.Sdk.Health;

/// <summary>
/// The built-in health rules, following the semantics of the Kubernetes controllers (and of gitops-engine's
/// <c>pkg/health</c>): Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod, PersistentVolumeClaim,
/// Service (LoadBalancer), Ingress, CustomResourceDefinition, APIService, HorizontalPodAutoscaler; for other kinds the
/// generic <c>observedGeneration</c> and <c>Stalled</c>/<c>Reconciling</c>/<c>Ready</c> conditions (kstatus); objects
/// without status are healthy. The engine asks host-registered assessors first.
/// </summary>
public sealed class BuiltInHealthAssessor : IHealthAssessor
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
            ("apps" or "extensions", "Deployment") => Deployment(live),
            ("apps", "StatefulSet") => StatefulSet(live),
            ("apps" or "extensions", "DaemonSet") => DaemonSet(live),
            ("apps" or "extensions", "ReplicaSet") => ReplicaSet(live),
            ("batch", "Job") => Job(live),
            ("batch", "CronJob") => CronJob(live),
            ("", "Pod") => Pod(live),
            ("", "PersistentVolumeClaim") => Pvc(live),
            ("", "Service") => Service(live),
            ("networking.k8s.io" or "extensions", "Ingress") => Ingress(live),
            ("apiextensions.k8s.io", "CustomResourceDefinition") => Crd(live),
            ("apiregistration.k8s.io", "APIService") => ApiService(live),
            ("autoscaling", "HorizontalPodAutoscaler") => Hpa(live),
            _ => Generic(live),
        };
    }

    private static HealthResult Deployment(KubeObject o)
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

    private static HealthResult StatefulSet(KubeObject o)
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

    private static HealthResult DaemonSet(KubeObject o)
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

    private static HealthResult ReplicaSet(KubeObject o)
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

    private static HealthResult Job(KubeObject o)
    {
        if (FindCondition(o, "Failed") is { Status: "True" } failed)
        {
            return new HealthResult(HealthStatus.Degraded, failed.Message ?? failed.Reason ?? "Job failed");
        }

        if (FindCondition(o, "Complete") is { Status: "True" } complete)
        {
            return new HealthResult(HealthStatus.Healthy, complete.Message ?? "Job completed");
        }

        if (FindCondition(o, "Suspended") is { Status: "True" } || Bool(o.Json, "spec", "suspend") == true)
        {
            return new HealthResult(HealthStatus.Suspended, "Job is suspended");
        }

        return new HealthResult(HealthStatus.Progressing, "Job is running");
    }

    private static HealthResult CronJob(KubeObject o)
    {
        if (Bool(o.Json, "spec", "suspend") == true)
        {
            return new HealthResult(HealthStatus.Suspended, "CronJob is suspended");
        }

        var lastSchedule = Time(o.Json, "status", "lastScheduleTime");
        var lastSuccess = Time(o.Json, "status", "lastSuccessfulTime");
        var active = TryGet(o.Json, out var a, "status", "active") && a.ValueKind == JsonValueKind.Array && a.GetArrayLength() > 0;
        if (lastSchedule is { } scheduled && !active && (lastSuccess is null || lastSuccess < scheduled))
        {
            return new HealthResult(HealthStatus.Degraded, $"The job scheduled at {scheduled.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} has not succeeded");
        }

        return HealthResult.Healthy;
    }

    private static HealthResult Pod(KubeObject o)
    {
        var phase = Str(o.Json, "status", "phase");
        if (ContainerProblem(o) is { } problem)
        {
            return new HealthResult(HealthStatus.Degraded, problem);
        }

        switch (phase)
        {
            case "Succeeded":
                return new HealthResult(HealthStatus.Healthy, Str(o.Json, "status", "message"));
            case "Failed":
                return new HealthResult(HealthStatus.Degraded, Str(o.Json, "status", "message") ?? "Pod failed");
            case "Running":
                var restartPolicy = Str(o.Json, "spec", "restartPolicy") ?? "Always";
                if (restartPolicy == "Always")
                {
                    return FindCondition(o, "Ready") is { Status: "True" }
                        ? HealthResult.Healthy
                        : new HealthResult(HealthStatus.Progressing, "Pod is running but not ready");
                }

                return new HealthResult(HealthStatus.Progressing, "Pod is running");
            case "Pending":
                return new HealthResult(HealthStatus.Progressing, Str(o.Json, "status", "message") ?? "Pod is pending");
            default:
                return new HealthResult(HealthStatus.Unknown, Str(o.Json, "status", "message") ?? (phase is null ? "Pod has no phase yet" : $"Pod phase {phase}"));
        }
    }

    private static string? ContainerProblem(KubeObject o)
    {
        foreach (var listName in (ReadOnlySpan<string>)["initContainerStatuses", "containerStatuses"])
        {
            if (!TryGet(o.Json, out var list, "status", listName) || list.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var cs in list.EnumerateArray())
            {
                if (TryGet(cs, out var waiting, "state", "waiting") && waiting.ValueKind == JsonValueKind.Object)
                {
                    var reason = Str(waiting, "reason");
                    if (reason is "CrashLoopBackOff" or "ErrImagePull" or "ImagePullBackOff" or "CreateContainerConfigError" or "InvalidImageName" or "CreateContainerError" or "RunContainerError")
                    {
                        var message = Str(waiting, "message");
                        return $"container {Str(cs, "name")}: {reason}{(message is null ? string.Empty : ": " + message)}";
                    }
                }
            }
        }

        return null;
    }

    private static HealthResult Pvc(KubeObject o) => Str(o.Json, "status", "phase") switch
    {
        "Bound" => HealthResult.Healthy,
        "Pending" => new HealthResult(HealthStatus.Progressing, "PersistentVolumeClaim is pending"),
        "Lost" => new HealthResult(HealthStatus.Degraded, "PersistentVolumeClaim lost its volume"),
        null => new HealthResult(HealthStatus.Progressing, "PersistentVolumeClaim has no phase yet"),
        var p => new HealthResult(HealthStatus.Unknown, $"PersistentVolumeClaim phase {p}"),
    };

    private static HealthResult Service(KubeObject o)
    {
        if (Str(o.Json, "spec", "type") != "LoadBalancer")
        {
            return HealthResult.Healthy;
        }

        return HasLoadBalancerIngress(o)
            ? HealthResult.Healthy
            : new HealthResult(HealthStatus.Progressing, "Waiting for the load balancer to get an address");
    }

    private static HealthResult Ingress(KubeObject o) =>
        HasLoadBalancerIngress(o)
            ? HealthResult.Healthy
            : new HealthResult(HealthStatus.Progressing, "Waiting for the ingress controller to assign an address");

    private static bool HasLoadBalancerIngress(KubeObject o) =>
        TryGet(o.Json, out var ingress, "status", "loadBalancer", "ingress")
        && ingress.ValueKind == JsonValueKind.Array
        && ingress.GetArrayLength() > 0;

    private static HealthResult Crd(KubeObject o)
    {
        if (FindCondition(o, "NamesAccepted") is { Status: "False" } names)
        {
            return new HealthResult(HealthStatus.Degraded, names.Message ?? "CRD names were not accepted");
        }

        if (FindCondition(o, "Terminating") is { Status: "True" } terminating)
        {
            return new HealthResult(HealthStatus.Progressing, terminating.Message ?? "CRD is terminating");
        }

        return FindCondition(o, "Established") is { Status: "True" }
            ? HealthResult.Healthy
            : new HealthResult(HealthStatus.Progressing, "Waiting for the CRD to be established");
    }

    private static HealthResult ApiService(KubeObject o)
    {
        var available = FindCondition(o, "Available");
        return available switch
        {
            { Status: "True" } => HealthResult.Healthy,
            null => new HealthResult(HealthStatus.Progressing, "Waiting for the APIService to become available"),
            _ => new HealthResult(HealthStatus.Progressing, $"{available.Reason}: {available.Message}"),
        };
    }

    private static HealthResult Hpa(KubeObject o)
    {
        if (!TryGet(o.Json, out var conditions, "status", "conditions") || conditions.ValueKind != JsonValueKind.Array || conditions.GetArrayLength() == 0)
        {
            return new HealthResult(HealthStatus.Progressing, "Waiting to autoscale");
        }

        if (FindCondition(o, "AbleToScale") is { Status: "False" } able)
        {
            return new HealthResult(HealthStatus.Degraded, able.Message ?? able.Reason ?? "HPA is not able to scale");
        }

        if (FindCondition(o, "ScalingActive") is { Status: "False" } active
            && active.Reason is { } reason && reason.StartsWith("Failed", StringComparison.Ordinal))
        {
            return new HealthResult(HealthStatus.Degraded, active.Message ?? reason);
        }

        return HealthResult.Healthy;
    }

    private static HealthResult Generic(KubeObject o)
    {
        if (!o.Json.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.Object)
        {
            return HealthResult.Healthy;
        }

        var generation = Int(o.Json, "metadata", "generation");
        var observed = Int(status, "observedGeneration");
        if (generation is { } g && observed is { } og && og < g)
        {
            return new HealthResult(HealthStatus.Progressing, "Waiting for the controller to observe the latest generation");
        }

        if (FindCondition(o, "Stalled") is { Status: "True" } stalled)
        {
            return new HealthResult(HealthStatus.Degraded, stalled.Message ?? stalled.Reason ?? "Stalled");
        }

        if (FindCondition(o, "Reconciling") is { Status: "True" } reconciling)
        {
            return new HealthResult(HealthStatus.Progressing, reconciling.Message ?? reconciling.Reason ?? "Reconciling");
        }

        if (FindCondition(o, "Ready") is { } ready)
        {
            return ready.Status switch
            {
                "True" => new HealthResult(HealthStatus.Healthy, ready.Message),
                "False" => new HealthResult(HealthStatus.Degraded, ready.Message ?? ready.Reason ?? "Not ready"),
                _ => new HealthResult(HealthStatus.Progressing, ready.Message ?? ready.Reason ?? "Readiness unknown"),
            };
        }

        return HealthResult.Healthy;
    }

    private static bool GenerationObserved(KubeObject o)
    {
        var generation = Int(o.Json, "metadata", "generation");
        var observed = Int(o.Json, "status", "observedGeneration");
        return generation is null || (observed is { } og && og >= generation);
    }

    private sealed record Condition(string Status, string? Reason, string? Message);

    private static Condition? FindCondition(KubeObject o, string type)
    {
        if (!TryGet(o.Json, out var conditions, "status", "conditions") || conditions.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var c in conditions.EnumerateArray())
        {
            if (c.ValueKind == JsonValueKind.Object && Str(c, "type") == type)
            {
                return new Condition(Str(c, "status") ?? "Unknown", Str(c, "reason"), Str(c, "message"));
            }
        }

        return null;
    }

    private static bool TryGet(JsonElement element, out JsonElement value, params ReadOnlySpan<string> path)
    {
        value = element;
        foreach (var segment in path)
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(segment, out value))
            {
                value = default;
                return false;
            }
        }

        return true;
    }

    private static string? Str(JsonElement element, params ReadOnlySpan<string> path) =>
        TryGet(element, out var v, path) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Int(JsonElement element, params ReadOnlySpan<string> path) =>
        TryGet(element, out var v, path) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var i) ? i : null;

    private static bool? Bool(JsonElement element, params ReadOnlySpan<string> path) =>
        TryGet(element, out var v, path) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    private static DateTimeOffset? Time(JsonElement element, params ReadOnlySpan<string> path) =>
        Str(element, path) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
