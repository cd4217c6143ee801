using System.Text.Json;
using static GitOps.Sdk.Health.StatusFields;

namespace GitOps.Sdk.Health;

/// <summary>Health of any other kind, by kstatus conventions: <c>observedGeneration</c>, then the <c>Stalled</c>, <c>Reconciling</c> and <c>Ready</c> conditions; no status is healthy.</summary>
internal static class GenericHealth
{
    public static HealthResult Generic(KubeObject o)
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
}
