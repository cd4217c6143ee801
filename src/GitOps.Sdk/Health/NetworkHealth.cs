using System.Text.Json;
using static GitOps.Sdk.Health.StatusFields;

namespace GitOps.Sdk.Health;

/// <summary>Health of Services of type LoadBalancer and of Ingresses: healthy once an address is assigned.</summary>
internal static class NetworkHealth
{
    public static HealthResult Service(KubeObject o)
    {
        if (Str(o.Json, "spec", "type") != "LoadBalancer")
        {
            return HealthResult.Healthy;
        }

        return HasLoadBalancerIngress(o)
            ? HealthResult.Healthy
            : new HealthResult(HealthStatus.Progressing, "Waiting for the load balancer to get an address");
    }

    public static HealthResult Ingress(KubeObject o) =>
        HasLoadBalancerIngress(o)
            ? HealthResult.Healthy
            : new HealthResult(HealthStatus.Progressing, "Waiting for the ingress controller to assign an address");

    private static bool HasLoadBalancerIngress(KubeObject o) =>
        TryGet(o.Json, out var ingress, "status", "loadBalancer", "ingress")
        && ingress.ValueKind == JsonValueKind.Array
        && ingress.GetArrayLength() > 0;
}
