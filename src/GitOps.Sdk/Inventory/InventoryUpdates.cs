using System.Collections.Immutable;

namespace GitOps.Sdk;

/// <summary>
/// Computes the inventories written around an apply so that a crash never loses track of an object.
/// </summary>
/// <remarks>
/// <para>The protocol, run by the reconciler for every apply that writes:</para>
/// <list type="number">
/// <item><description>Before the first write, save <see cref="Pending"/>: the union of the previous inventory and the
/// new desired set. Every object the apply may create is then listed before it exists.</description></item>
/// <item><description>Apply the plan (creates, updates, then prunes).</description></item>
/// <item><description>After the apply, save <see cref="Completed"/>: the desired set plus previous objects whose
/// prune did not happen for a reason that may go away (a failed delete, a held object, an empty render).</description></item>
/// </list>
/// <para>A crash between 1 and 3 leaves the union stored. The next run reads it as its previous inventory, so objects
/// created by the interrupted run but since removed from desired state are pruned, and objects that were about to be
/// pruned are pruned again. Listing an object that was never created is harmless: prune of a missing object is a no-op.</para>
/// </remarks>
public static class InventoryUpdates
{
    /// <summary>Returns the inventory to save before applying: previous entries united with every desired object.</summary>
    /// <param name="application">The application.</param>
    /// <param name="previous">The stored inventory, or <see langword="null"/>.</param>
    /// <param name="desired">The desired state about to be applied.</param>
    /// <returns>The pending inventory (sorted by key; desired entries win over previous ones for the same key).</returns>
    public static Inventory Pending(string application, Inventory? previous, DesiredState desired)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(desired);
        var entries = new Dictionary<ResourceKey, InventoryEntry>();
        if (previous is not null)
        {
            foreach (var entry in previous.Entries)
            {
                entries[entry.Key] = entry;
            }
        }

        foreach (var obj in desired.Objects)
        {
            entries[obj.Key] = new InventoryEntry(obj.Key, obj.ApiVersion) { AppliedHash = obj.ContentHash };
        }

        return new Inventory { Application = application, Revision = previous?.Revision, Entries = Sort(entries.Values) };
    }

    /// <summary>Returns the inventory to save after an apply.</summary>
    /// <param name="application">The application.</param>
    /// <param name="previous">The inventory the plan was made against (not the pending one), or <see langword="null"/>.</param>
    /// <param name="desired">The desired state that was applied.</param>
    /// <param name="plan">The plan that ran.</param>
    /// <param name="result">What happened.</param>
    /// <param name="ownershipLabel">The ownership label the plan used.</param>
    /// <returns>The desired objects plus previous objects that still need pruning later.</returns>
    public static Inventory Completed(
        string application,
        Inventory? previous,
        DesiredState desired,
        ApplyPlan plan,
        ApplyResult result,
        string ownershipLabel = WellKnown.ApplicationLabel)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(result);
        var entries = new Dictionary<ResourceKey, InventoryEntry>();
        foreach (var obj in desired.Objects)
        {
            entries[obj.Key] = new InventoryEntry(obj.Key, obj.ApiVersion) { AppliedHash = obj.ContentHash };
        }

        if (previous is not null)
        {
            var outcomes = new Dictionary<ResourceKey, ApplyOutcome>();
            foreach (var o in result.Objects)
            {
                outcomes[o.Key] = o.Outcome;
            }

            var steps = new Dictionary<ResourceKey, PlanStep>();
            foreach (var s in plan.Steps)
            {
                steps[s.Key] = s;
            }

            foreach (var entry in previous.Entries)
            {
                if (entries.ContainsKey(entry.Key) || !steps.TryGetValue(entry.Key, out var step))
                {
                    // Desired again, or not live any more (the planner plans nothing for a gone object).
                    continue;
                }

                if (KeepsTracking(application, step, outcomes.TryGetValue(entry.Key, out var outcome) ? outcome : null, ownershipLabel))
                {
                    entries[entry.Key] = entry;
                }
            }
        }

        return new Inventory { Application = application, Revision = desired.Revision ?? plan.Revision, Entries = Sort(entries.Values) };
    }

    /// <summary>Sorts entries by key (the stored order).</summary>
    /// <param name="entries">The entries.</param>
    /// <returns>The entries sorted by key.</returns>
    public static ImmutableArray<InventoryEntry> Sort(IEnumerable<InventoryEntry> entries) => Inventory.SortByKey(entries);

    private static bool KeepsTracking(string application, PlanStep step, ApplyOutcome? outcome, string ownershipLabel)
    {
        if (step.Action == PlanAction.Delete)
        {
            return outcome is not ApplyOutcome.Deleted;
        }

        if (step.Action != PlanAction.Skip || step.Live is not { } live)
        {
            return false;
        }

        // Opted out of pruning or not ours: the application lets go of it. Anything else (held, empty render) may
        // be pruned by a later run, so the inventory keeps it.
        if (string.Equals(live.GetAnnotation(WellKnown.PruneAnnotation), "disabled", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return string.Equals(live.GetLabel(ownershipLabel), application, StringComparison.Ordinal);
    }
}
