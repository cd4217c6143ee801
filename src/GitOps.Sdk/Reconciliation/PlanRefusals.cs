using System.Collections.Immutable;
using GitOps.Sdk.Events;
using GitOps.Sdk.Planning;

namespace GitOps.Sdk.Reconciliation;

/// <summary>Collects the steps a safety rule refused, for the result, the status, the log and the health rule.</summary>
internal static class PlanRefusals
{
    public static ImmutableArray<RefusedObject> Collect(ApplyPlan? plan)
    {
        if (plan is null)
        {
            return [];
        }

        var builder = ImmutableArray.CreateBuilder<RefusedObject>();
        foreach (var s in plan.Steps)
        {
            if (s.Refusal is { } r)
            {
                builder.Add(new RefusedObject(s.Key, r.Rule, r.Owner, r.Option, s.Reason ?? r.Rule) { Blocking = r.Blocking });
            }
        }

        return builder.ToImmutable();
    }

    /// <summary>The desired objects the application does not own (refused for ownership): their health is not the application's.</summary>
    public static HashSet<ResourceKey> NotOwned(ApplyPlan? plan)
    {
        var keys = new HashSet<ResourceKey>();
        foreach (var s in plan?.Steps ?? [])
        {
            if (s.Desired is not null && OwnershipPolicy.IsOwnershipRefusal(s.Refusal))
            {
                keys.Add(s.Key);
            }
        }

        return keys;
    }

    /// <summary>The Ready condition's reason for a refused run.</summary>
    public static string ConditionReason(ImmutableArray<RefusedObject> refused) =>
        refused.Any(static r => r.Rule is PlanRefusalRules.OwnedByOtherApplication or PlanRefusalRules.NotMarked) ? "OwnershipConflict" : "PruneBlocked";

    public static string Summary(ImmutableArray<RefusedObject> refused)
    {
        var shown = string.Join("; ", refused.Take(10).Select(static r => r.Reason));
        return $"{refused.Length} object(s) refused: {shown}{(refused.Length > 10 ? $" (and {refused.Length - 10} more)" : string.Empty)}";
    }
}
