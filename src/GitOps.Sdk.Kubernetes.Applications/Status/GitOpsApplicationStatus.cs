using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Kubernetes.Applications;

/// <summary>
/// Computes a <c>GitOpsApplication</c>'s <c>status</c> from what the engine knows about its application, in the
/// Kubernetes conventions: <c>observedGeneration</c>, conditions <c>Ready</c>, <c>Reconciling</c> and <c>Stalled</c>
/// (then the engine's others) with <c>lastTransitionTime</c> kept while a condition's status stays, the last applied
/// and attempted revisions, sync and health in one word, an inventory summary and the held plan. A pure function.
/// </summary>
internal static class GitOpsApplicationStatus
{
    private const int MaxMessageLength = 4096;

    /// <summary>What the engine decided about a resource's application.</summary>
    /// <param name="Status">The application's status when the engine runs the resource's definition (or, for a spec with problems, its previous one).</param>
    /// <param name="Refusal">Why the engine refused the resource's application (e.g. another source has the name), when it does not run it.</param>
    public sealed record EngineView(ApplicationStatus? Status, ImmutableArray<string> Refusal);

    public static JsonObject Project(ResourceEntry entry, EngineView view, DateTimeOffset now)
    {
        var live = LiveConditions(entry.LiveStatus);
        var conditions = new List<(string Type, ConditionStatus Status, string Reason, string Message, DateTimeOffset Since)>();
        var status = view.Status;
        if (entry.DuplicateOf is { } other)
        {
            var message = $"the application name '{entry.Name}' is taken by GitOpsApplication {other}, created first; rename this resource";
            Blocked("DuplicateName", message);
            status = null;
        }
        else if (entry.Problems.Length > 0)
        {
            var kept = status is not null ? " The application keeps running with its previous spec." : string.Empty;
            Blocked("InvalidSpec", string.Join("; ", entry.Problems.Select(static p => p.TrimEnd('.'))) + "." + kept);
        }
        else if (status is null && view.Refusal.Length > 0)
        {
            Blocked("Refused", string.Join("; ", view.Refusal.Select(static p => p.TrimEnd('.'))) + ".");
        }
        else if (status is null)
        {
            conditions.Add((ConditionTypes.Ready, ConditionStatus.Unknown, "Pending", $"Waiting for the engine to run generation {entry.Generation.ToString(CultureInfo.InvariantCulture)}", now));
            conditions.Add((ConditionTypes.Reconciling, ConditionStatus.True, "Pending", $"Waiting for the engine to run generation {entry.Generation.ToString(CultureInfo.InvariantCulture)}", now));
            conditions.Add((ConditionTypes.Stalled, ConditionStatus.False, "Pending", "Not stalled", now));
        }
        else
        {
            foreach (var type in (string[])[ConditionTypes.Ready, ConditionTypes.Reconciling, ConditionTypes.Stalled])
            {
                conditions.Add(status.GetCondition(type) is { } c
                    ? (c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime)
                    : Default(type));
            }

            foreach (var c in status.Conditions.Where(static c => c.Type is not (ConditionTypes.Ready or ConditionTypes.Reconciling or ConditionTypes.Stalled)))
            {
                conditions.Add((c.Type, c.Status, c.Reason, c.Message, c.LastTransitionTime));
            }
        }

        var array = new JsonArray();
        foreach (var (type, st, reason, message, since) in conditions)
        {
            var text = Text(st);
            var transition = live.TryGetValue(type, out var seen) && seen.Status == text && seen.Since is { } kept ? kept : Time(since);
            array.Add(new JsonObject
            {
                ["type"] = type,
                ["status"] = text,
                ["observedGeneration"] = entry.Generation,
                ["lastTransitionTime"] = transition,
                ["reason"] = string.IsNullOrEmpty(reason) ? "Unknown" : reason,
                ["message"] = message.Length > MaxMessageLength ? message[..MaxMessageLength] + "…" : message,
            });
        }

        var result = new JsonObject
        {
            ["observedGeneration"] = entry.Generation,
            ["conditions"] = array,
        };
        if (status is null)
        {
            return result;
        }

        Set(result, "lastAppliedRevision", status.LastAppliedRevision);
        Set(result, "lastAttemptedRevision", status.LastAttemptedRevision);
        result["sync"] = status.Sync.ToString();
        if (status.Health is { } health)
        {
            result["health"] = health.Status.ToString();
        }

        result["inventory"] = new JsonObject
        {
            ["total"] = status.Objects.Length,
            ["synced"] = status.Objects.Count(static o => o.Sync == SyncStatus.Synced),
            ["healthy"] = status.Objects.Count(static o => o.Health.Status == HealthStatus.Healthy),
        };
        if (status.HeldPlan is { } held)
        {
            var plan = new JsonObject
            {
                ["hash"] = held.Hash,
                ["steps"] = held.Steps.Length,
                ["wholePlan"] = held.WholePlan,
                ["since"] = Time(held.Since),
            };
            Set(plan, "reason", held.Reason);
            Set(plan, "revision", held.Revision);
            result["heldPlan"] = plan;
        }

        return result;

        void Blocked(string reason, string message)
        {
            conditions.Add((ConditionTypes.Ready, ConditionStatus.False, reason, message, now));
            conditions.Add((ConditionTypes.Reconciling, ConditionStatus.False, reason, "Nothing to do until the spec changes", now));
            conditions.Add((ConditionTypes.Stalled, ConditionStatus.True, reason, message, now));
        }

        (string, ConditionStatus, string, string, DateTimeOffset) Default(string type) => type switch
        {
            ConditionTypes.Ready => (type, ConditionStatus.Unknown, "Pending", "Waiting for the first reconcile", now),
            ConditionTypes.Reconciling => (type, ConditionStatus.True, "Pending", "Waiting for the first reconcile", now),
            _ => (type, ConditionStatus.False, "Pending", "Not stalled", now),
        };
    }

    /// <summary>Tells whether the live status already says what <paramref name="desired"/> says.</summary>
    public static bool Same(JsonObject desired, JsonElement? live) =>
        live is { } l && JsonNode.DeepEquals(desired, JsonNode.Parse(l.GetRawText()));

    private static void Set(JsonObject target, string name, string? value)
    {
        if (value is not null)
        {
            target[name] = value;
        }
    }

    private static string Text(ConditionStatus status) => status switch
    {
        ConditionStatus.True => "True",
        ConditionStatus.False => "False",
        _ => "Unknown",
    };

    /// <summary>RFC 3339 in whole seconds, as the API server stores <c>metav1.Time</c>.</summary>
    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static Dictionary<string, (string? Status, string? Since)> LiveConditions(JsonElement? status)
    {
        var result = new Dictionary<string, (string?, string?)>(StringComparer.Ordinal);
        if (status is { ValueKind: JsonValueKind.Object } s && s.TryGetProperty("conditions", out var conditions) && conditions.ValueKind == JsonValueKind.Array)
        {
            foreach (var c in conditions.EnumerateArray())
            {
                if (c.ValueKind == JsonValueKind.Object && c.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String)
                {
                    result[t.GetString()!] = (Str(c, "status"), Str(c, "lastTransitionTime"));
                }
            }
        }

        return result;
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
