using System.Text.Json;
using static GitOps.Sdk.Health.StatusFields;

namespace GitOps.Sdk.Health;

/// <summary>Health of a Pod: a waiting container with a failure reason is degraded, else the phase and readiness decide.</summary>
internal static class PodHealth
{
    public static HealthResult Pod(KubeObject o)
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
}
