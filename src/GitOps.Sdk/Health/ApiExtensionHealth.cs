using System.Text.Json;
using static GitOps.Sdk.Health.StatusFields;

namespace GitOps.Sdk.Health;

/// <summary>Health of the objects that extend the API: CustomResourceDefinitions (names accepted, established) and APIServices (available).</summary>
internal static class ApiExtensionHealth
{
    public static HealthResult Crd(KubeObject o)
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

    public static HealthResult ApiService(KubeObject o)
    {
        var available = FindCondition(o, "Available");
        return available switch
        {
            { Status: "True" } => HealthResult.Healthy,
            null => new HealthResult(HealthStatus.Progressing, "Waiting for the APIService to become available"),
            _ => new HealthResult(HealthStatus.Progressing, $"{available.Reason}: {available.Message}"),
        };
    }
}
