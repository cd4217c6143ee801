using System.Collections.Immutable;

namespace GitOps.Sdk.Planning;

/// <summary>
/// The deletion guards run on a plan before it is applied: a Namespace is not pruned while it holds objects outside the
/// prune set (this application's desired objects included), and a CustomResourceDefinition is not pruned while custom
/// resources of it exist outside the prune set. Each refusal names the blocking objects and the option that allows it.
/// </summary>
internal static class PruneGuard
{
    private const int ShownBlocking = 10;
    private const string InventoryLabel = "gitops.sdk.io/inventory";

    public static bool IsNamespace(ResourceKey key) => key.Group.Length == 0 && key.Kind == "Namespace";

    public static bool IsCrd(ResourceKey key) => key.Group == "apiextensions.k8s.io" && key.Kind == "CustomResourceDefinition";

    /// <summary>The engine's own objects never go: reserved keys, and inventories wherever they are.</summary>
    private static ApplyPlan RefuseReserved(ApplyPlan plan, IReservedObjects? reserved)
    {
        var changed = false;
        var steps = plan.Steps.Select(s =>
        {
            if (s.Action is not (PlanAction.Delete or PlanAction.Recreate))
            {
                return s;
            }

            var why = reserved?.WhyReserved(s.Key)
                ?? (string.Equals(s.Live?.GetLabel(InventoryLabel), "true", StringComparison.Ordinal) ? "it is an application inventory (label gitops.sdk.io/inventory=true)" : null);
            if (why is null)
            {
                return s;
            }

            changed = true;
            return s with
            {
                Action = PlanAction.Skip,
                Reason = $"{s.Key} is not pruned: {why}; no option allows an application to delete the engine's objects",
                Refusal = new PlanRefusal(PlanRefusalRules.Reserved, "the GitOps engine", "none"),
            };
        }).ToImmutableArray();
        return changed ? plan with { Steps = steps } : plan;
    }

    /// <summary>Returns the plan with guarded deletes turned into refused skips.</summary>
    public static async ValueTask<ApplyPlan> ApplyAsync(
        ApplyPlan plan,
        IContainerContents? contents,
        IReservedObjects? reserved,
        bool allowNonEmptyNamespacePrune,
        bool allowCrdPruneWithResources,
        CancellationToken cancellationToken)
    {
        plan = RefuseReserved(plan, reserved);
        var guarded = plan.Steps.Where(s => s.Action == PlanAction.Delete && s.Live is not null
            && ((IsNamespace(s.Key) && !allowNonEmptyNamespacePrune) || (IsCrd(s.Key) && !allowCrdPruneWithResources))).ToList();
        if (guarded.Count == 0)
        {
            return plan;
        }

        var pruneSet = plan.Steps.Where(static s => s.Action == PlanAction.Delete).Select(static s => s.Key).ToHashSet();
        var refused = new Dictionary<ResourceKey, PlanStep>();
        foreach (var step in guarded)
        {
            var isNamespace = IsNamespace(step.Key);
            var option = isNamespace ? "AllowNonEmptyNamespacePrune" : "AllowCrdPruneWithResources";
            var rule = isNamespace ? PlanRefusalRules.NamespaceNotEmpty : PlanRefusalRules.CustomResourcesExist;
            ContainedObjects listed = contents is null
                ? new ContainedObjects([]) { Error = "no IContainerContents is registered to list what it holds" }
                : await contents.ListAsync(step.Live!, cancellationToken).ConfigureAwait(false);
            string? reason = null;
            var blocking = ImmutableArray<ResourceKey>.Empty;
            if (listed.Error is { } error)
            {
                reason = $"{step.Key} is not pruned: what it holds cannot be listed ({error}); set {option} to prune it anyway";
            }
            else
            {
                blocking = [.. listed.Objects.Where(k => !pruneSet.Contains(k) && k != step.Key)];
                if (blocking.Length > 0)
                {
                    var shown = string.Join(", ", blocking.Take(ShownBlocking));
                    var more = blocking.Length > ShownBlocking ? $" and {blocking.Length - ShownBlocking} more" : string.Empty;
                    reason = isNamespace
                        ? $"{step.Key} is not pruned: deleting it would delete {blocking.Length} object(s) it still holds that are not pruned with it: {shown}{more}; set {option} to prune it anyway"
                        : $"{step.Key} is not pruned: deleting it would delete {blocking.Length} custom resource(s) of it that are not pruned with it: {shown}{more}; set {option} to prune it anyway";
                }
            }

            if (reason is not null)
            {
                refused[step.Key] = step with
                {
                    Action = PlanAction.Skip,
                    Reason = reason,
                    Refusal = new PlanRefusal(rule, null, option) { Blocking = blocking },
                };
            }
        }

        return refused.Count == 0
            ? plan
            : plan with { Steps = [.. plan.Steps.Select(s => refused.TryGetValue(s.Key, out var r) && s.Action == PlanAction.Delete ? r : s)] };
    }
}
