using System.Globalization;
using System.Text.Json;

namespace GitOps.Sdk.Health;

/// <summary>Reads the fields the health rules look at: paths of status/spec fields, conditions and the observed generation.</summary>
internal static class StatusFields
{
    public static bool GenerationObserved(KubeObject o)
    {
        var generation = Int(o.Json, "metadata", "generation");
        var observed = Int(o.Json, "status", "observedGeneration");
        return generation is null || (observed is { } og && og >= generation);
    }

    /// <summary>A status condition's fields that the rules read.</summary>
    public sealed record Condition(string Status, string? Reason, string? Message);

    public static Condition? FindCondition(KubeObject o, string type)
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

    public static bool TryGet(JsonElement element, out JsonElement value, params ReadOnlySpan<string> path)
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

    public static string? Str(JsonElement element, params ReadOnlySpan<string> path) =>
        TryGet(element, out var v, path) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static long? Int(JsonElement element, params ReadOnlySpan<string> path) =>
        TryGet(element, out var v, path) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var i) ? i : null;

    public static bool? Bool(JsonElement element, params ReadOnlySpan<string> path) =>
        TryGet(element, out var v, path) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    public static DateTimeOffset? Time(JsonElement element, params ReadOnlySpan<string> path) =>
        Str(element, path) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
