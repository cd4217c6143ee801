using System.Collections.Concurrent;
using System.Text.Json;

namespace GitOps.Sdk.Execution;

/// <summary>The state of one plan execution: the results so far and what the plan itself creates (CRDs, Namespaces).</summary>
internal sealed class ExecutionRun
{
    public const string CrdGroup = "apiextensions.k8s.io";

    private readonly Dictionary<ResourceKey, int> _indexes = [];

    public ExecutionRun(ApplyPlan plan, ApplyOptions options)
    {
        Plan = plan;
        Options = options;
        Results = new ObjectApplyResult[plan.Steps.Length];
        for (var i = 0; i < plan.Steps.Length; i++)
        {
            var step = plan.Steps[i];
            _indexes.TryAdd(step.Key, i);
            if (step.Desired is not { } desired)
            {
                continue;
            }

            if (desired.Group.Length == 0 && desired.Kind == "Namespace" && step.Action is PlanAction.Apply or PlanAction.Recreate)
            {
                NamespacesInPlan.Add(desired.Name);
            }

            if (desired.Group == CrdGroup && desired.Kind == "CustomResourceDefinition" && DefinedKind(desired) is { } defines)
            {
                CrdsInPlan[defines] = desired;
            }
        }
    }

    public ApplyPlan Plan { get; }

    public ApplyOptions Options { get; }

    public ObjectApplyResult[] Results { get; }

    /// <summary>Gets the CustomResourceDefinitions of the plan by the kind each defines.</summary>
    public Dictionary<GroupKind, KubeObject> CrdsInPlan { get; } = [];

    /// <summary>Gets the Namespaces the plan creates or updates.</summary>
    public HashSet<string> NamespacesInPlan { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets one wait per CustomResourceDefinition, shared by all its custom resources.</summary>
    public ConcurrentDictionary<string, Task<ReadinessResult>> CrdWaits { get; } = new(StringComparer.Ordinal);

    public void Set(int index, ObjectApplyResult result) => Volatile.Write(ref Results[index], result);

    /// <summary>Returns the result of the step for <paramref name="key"/>, or <see langword="null"/> when it has not run (yet).</summary>
    public ObjectApplyResult? ResultOf(ResourceKey key) => _indexes.TryGetValue(key, out var i) ? Volatile.Read(ref Results[i]) : null;

    /// <summary>Returns the wave of the step for <paramref name="key"/>.</summary>
    public int WaveOf(ResourceKey key) => _indexes.TryGetValue(key, out var i) ? Plan.Steps[i].Wave : 0;

    private static GroupKind? DefinedKind(KubeObject crd)
    {
        if (!crd.Json.TryGetProperty("spec", out var spec)
            || ReadString(spec, "group") is not { } group
            || !spec.TryGetProperty("names", out var names)
            || ReadString(names, "kind") is not { } kind)
        {
            return null;
        }

        return new GroupKind(group, kind);
    }

    private static string? ReadString(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
