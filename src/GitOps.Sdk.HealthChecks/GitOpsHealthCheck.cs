using GitOps.Sdk.Hosting;
using GitOps.Sdk.Status;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GitOps.Sdk.HealthChecks;

/// <summary>
/// Reports every application of <see cref="IGitOpsController.GetAll"/>: Unhealthy while one's last reconcile failed,
/// Degraded while one is out of sync longer than <see cref="GitOpsHealthCheckOptions.OutOfSyncThreshold"/>, Healthy
/// otherwise; suspended applications are listed but never count. Only names, one-word states and the Ready
/// condition's CamelCase reason are reported, never an error message (it may quote a URL or a manifest).
/// </summary>
internal sealed class GitOpsHealthCheck(IGitOpsController controller, GitOpsHealthCheckOptions options, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var statuses = controller.GetAll();
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var failing = new List<string>();
        var outOfSync = new List<string>();
        foreach (var s in statuses)
        {
            var sync = s.Sync;
            var reason = s.GetCondition(ConditionTypes.Ready)?.Reason ?? "Pending";
            var entry = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["sync"] = sync.ToString(),
                ["health"] = (s.Health?.Status ?? HealthStatus.Unknown).ToString(),
                ["reason"] = reason,
                ["suspended"] = s.Suspended ? "true" : "false",
            };
            var drifted = s.GetCondition(ConditionTypes.Drifted);
            if (sync == ApplicationSyncStatus.OutOfSync && drifted is not null)
            {
                entry["outOfSyncSince"] = drifted.LastTransitionTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            }

            data[s.Name] = entry;
            if (s.Suspended)
            {
                continue;
            }

            if (sync == ApplicationSyncStatus.Failed)
            {
                failing.Add($"{s.Name} ({reason})");
            }
            else if (sync == ApplicationSyncStatus.OutOfSync && drifted is not null && now - drifted.LastTransitionTime >= options.OutOfSyncThreshold)
            {
                outOfSync.Add(s.Name);
            }
        }

        var stale = outOfSync.Count == 0 ? string.Empty : $"out of sync for {options.OutOfSyncThreshold} or longer: {string.Join(", ", outOfSync)}";
        var result = failing.Count > 0
            ? HealthCheckResult.Unhealthy($"GitOps: {failing.Count} of {statuses.Count} application(s) failing: {string.Join(", ", failing)}{(stale.Length > 0 ? "; " + stale : string.Empty)}", data: data)
            : outOfSync.Count > 0
                ? HealthCheckResult.Degraded($"GitOps: {outOfSync.Count} of {statuses.Count} application(s) {stale}", data: data)
                : HealthCheckResult.Healthy($"GitOps: {statuses.Count} application(s), none failing or out of sync for {options.OutOfSyncThreshold}", data);
        return Task.FromResult(result);
    }
}
