using System.Text.Json;
using static GitOps.Sdk.Health.StatusFields;

namespace GitOps.Sdk.Health;

/// <summary>Health of <c>batch</c> Jobs (by their terminal conditions) and CronJobs (whether the last scheduled run succeeded).</summary>
internal static class BatchHealth
{
    public static HealthResult Job(KubeObject o)
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

    public static HealthResult CronJob(KubeObject o)
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
}
