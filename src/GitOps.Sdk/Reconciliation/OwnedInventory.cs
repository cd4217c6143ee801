using GitOps.Sdk.Planning;

namespace GitOps.Sdk.Reconciliation;

/// <summary>
/// Computes the inventories the reconciler saves around an apply, under the ownership rule (<see cref="OwnershipPolicy"/>):
/// an object enters the inventory only when the application applies it with its mark; a refused object never does,
/// and an object found to belong to someone else leaves it.
/// </summary>
internal static class OwnedInventory
{
    /// <summary>Before the apply: the previous entries plus every object the plan is about to write (refused and held ones excluded).</summary>
    public static Inventory Widen(Inventory? previous, ApplyPlan plan, string? revision)
    {
        var entries = new Dictionary<ResourceKey, InventoryEntry>();
        foreach (var e in previous?.Entries ?? [])
        {
            entries[e.Key] = e;
        }

        foreach (var step in plan.Steps)
        {
            if (step.Refusal is null && step.Action is PlanAction.Apply or PlanAction.Recreate or PlanAction.None && step.Desired is { } d && !entries.ContainsKey(d.Key))
            {
                entries[d.Key] = new InventoryEntry(d.Key, d.ApiVersion);
            }
        }

        return new Inventory { Application = plan.Application, Revision = revision, Entries = InventoryUpdates.Sort(entries.Values) };
    }

    /// <summary>After the apply: what the application now owns, plus prune candidates that are still live for a reason that may go away.</summary>
    public static Inventory Complete(
        Inventory widened,
        Inventory? previous,
        ApplyPlan plan,
        ApplyResult applied,
        DesiredState desired,
        IReadOnlyDictionary<ResourceKey, KubeObject> liveBefore,
        string? revision)
    {
        var entries = widened.Entries.ToDictionary(static e => e.Key);
        var previousEntries = previous?.Entries.ToDictionary(static e => e.Key) ?? [];
        var outcomes = new Dictionary<ResourceKey, ApplyOutcome>();
        foreach (var o in applied.Objects)
        {
            outcomes[o.Key] = o.Outcome;
        }

        var steps = new Dictionary<ResourceKey, PlanStep>();
        foreach (var s in plan.Steps)
        {
            steps[s.Key] = s;
        }

        var desiredKeys = new HashSet<ResourceKey>();
        foreach (var d in desired.Objects)
        {
            desiredKeys.Add(d.Key);
            var step = steps.GetValueOrDefault(d.Key);
            ApplyOutcome? outcome = outcomes.TryGetValue(d.Key, out var o) ? o : null;
            if (step is null || OwnershipPolicy.EntersInventory(step, outcome) || (outcome == ApplyOutcome.Failed && step.Refusal is null && entries.ContainsKey(d.Key)))
            {
                var written = outcome is not (ApplyOutcome.Failed or ApplyOutcome.Skipped);
                var previousHash = entries.TryGetValue(d.Key, out var old) ? old.AppliedHash : null;
                entries[d.Key] = new InventoryEntry(d.Key, d.ApiVersion) { AppliedHash = written ? d.ContentHash : previousHash };
            }
            else if (OwnershipPolicy.IsOwnershipRefusal(step.Refusal) || !previousEntries.TryGetValue(d.Key, out var kept))
            {
                // Refused, or never written by this application (held before its first apply): not ours. A failed
                // write stays tracked above: it may have half happened, with this application's mark.
                entries.Remove(d.Key);
            }
            else
            {
                // Held: it stays what it was.
                entries[d.Key] = kept;
            }
        }

        // Objects no longer desired stay until they are really gone (held, opted out, failed, guarded, pruning off),
        // unless they turned out to belong to someone else.
        foreach (var key in entries.Keys.ToList())
        {
            if (desiredKeys.Contains(key))
            {
                continue;
            }

            if (outcomes.GetValueOrDefault(key, ApplyOutcome.Unchanged) == ApplyOutcome.Deleted
                || !liveBefore.ContainsKey(key)
                || (steps.TryGetValue(key, out var step) && OwnershipPolicy.IsOwnershipRefusal(step.Refusal)))
            {
                entries.Remove(key);
            }
        }

        return new Inventory { Application = widened.Application, Revision = revision, Entries = InventoryUpdates.Sort(entries.Values) };
    }

    /// <summary>
    /// For a plan that writes nothing: the inventory without objects that turned out to be someone else's, and with the
    /// desired objects found live with this application's mark and unchanged (after a lost inventory, this rebuilds it
    /// from the marks). Returns <see langword="null"/> when that is what is stored already.
    /// </summary>
    public static Inventory? Record(string application, Inventory? inventory, ApplyPlan plan, string? revision)
    {
        var start = WithoutForeign(inventory, plan) ?? inventory;
        var entries = start?.Entries.ToDictionary(static e => e.Key) ?? [];
        var changed = !ReferenceEquals(start, inventory);
        foreach (var step in plan.Steps)
        {
            if (step.Refusal is null && step.Action == PlanAction.None && step.Desired is { } d && !entries.ContainsKey(d.Key))
            {
                entries[d.Key] = new InventoryEntry(d.Key, d.ApiVersion) { AppliedHash = d.ContentHash };
                changed = true;
            }
        }

        return changed
            ? new Inventory { Application = application, Revision = inventory?.Revision ?? revision, Entries = InventoryUpdates.Sort(entries.Values) }
            : null;
    }

    /// <summary>Returns <paramref name="inventory"/> without the objects the plan found to belong to someone else, or <see langword="null"/> when there are none.</summary>
    public static Inventory? WithoutForeign(Inventory? inventory, ApplyPlan plan)
    {
        if (inventory is null)
        {
            return null;
        }

        var foreign = plan.Steps.Where(static s => OwnershipPolicy.IsOwnershipRefusal(s.Refusal)).Select(static s => s.Key).ToHashSet();
        return inventory.Entries.Any(e => foreign.Contains(e.Key))
            ? inventory with { Entries = [.. inventory.Entries.Where(e => !foreign.Contains(e.Key))] }
            : null;
    }
}
