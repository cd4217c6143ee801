using System.Text.Json;
using static GitOps.Sdk.Health.StatusFields;

namespace GitOps.Sdk.Health;

/// <summary>Health of a HorizontalPodAutoscaler, by its <c>AbleToScale</c> and <c>ScalingActive</c> conditions.</summary>
internal static class AutoscalingHealth
{
    public static HealthResult Hpa(KubeObject o)
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
}
