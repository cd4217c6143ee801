using System.Collections.Immutable;
using GitOps.Sdk.Planning;

namespace GitOps.Sdk;

/// <summary>
/// Computes the inventories written around an apply so that a crash never loses track of an object, under the
/// ownership rule: an object enters the inventory only when the application writes it with its mark; a refused object
/// never does, and an object found to belong to someone else leaves it. This is the one protocol the reconciler runs.
/// </summary>
/// <remarks>
/// <para>The protocol, for every apply that writes:</para>
/// <list type="number">
/// <item><description>Before the first write, save <see cref="Pending"/>: the previous entries plus every object the
/// plan is about to write (refused and held objects excluded). Every object the apply may create is then listed before
/// it exists.</description></item>
/// <item><description>Apply the plan (creates, updates, then prunes).</description></item>
/// <item><description>After the apply, save <see cref="Completed"/>: what the application now owns, plus previous
/// objects whose prune did not happen for a reason that may go away.</description></item>
/// </list>
/// <para>A crash between 1 and 3 leaves the pending inventory stored. The next run reads it as its previous inventory:
/// objects the interrupted run created but that are no longer desired are pruned, objects that were about to be pruned
/// are pruned again, and a listed object that was never created is dropped (it is not live). A run that writes
/// nothing saves <see cref="Recorded"/> when it differs from what is stored.</para>
/// <para>Decisions (these replace an earlier, unused version of this class that differed from what the reconciler ran):
/// a pending entry carries no applied hash (nothing was applied yet: a crash must not make the next run judge live
/// differences as someone else's drift); a failed or skipped write keeps the previous applied hash, for the same
/// reason; a refused object is never listed, not even in the pending inventory (listing it would let the next run
/// treat an unmarked object as applied before and adopt it); an object no longer desired whose prune is opted out
/// (<see cref="WellKnown.PruneAnnotation"/>=<c>disabled</c>), held, guarded, failed or refused for an empty render stays
/// listed while it is live and not someone else's: it is still this application's object (it carries its mark), the
/// status keeps showing it as not pruned, and a later run prunes it once the reason goes away (the annotation removed,
/// the prune approved). The earlier version forgot opted-out objects, leaving marked objects no inventory lists.</para>
/// </remarks>
public static class InventoryUpdates
{
    /// <summary>Returns the inventory to save before applying: the previous entries plus every object the plan is about to write.</summary>
    /// <param name="previous">The stored inventory, or <see langword="null"/>.</param>
    /// <param name="plan">The plan about to be applied (after the approval filter).</param>
    /// <returns>The pending inventory, sorted by key; it keeps the previous revision (nothing is applied yet).</returns>
    public static Inventory Pending(Inventory? previous, ApplyPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
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

        return new Inventory { Application = plan.Application, Revision = previous?.Revision, Entries = Sort(entries.Values) };
    }

    /// <summary>Returns the inventory to save after an apply.</summary>
    /// <param name="pending">The inventory saved before the apply (<see cref="Pending"/>).</param>
    /// <param name="previous">The inventory the plan was made against, or <see langword="null"/>.</param>
    /// <param name="plan">The plan that ran.</param>
    /// <param name="result">What the apply did.</param>
    /// <param name="desired">The desired state that was applied.</param>
    /// <param name="liveBefore">The live objects the plan was made against.</param>
    /// <returns>What the application owns now, plus prune candidates still live for a reason that may go away.</returns>
    public static Inventory Completed(
        Inventory pending,
        Inventory? previous,
        ApplyPlan plan,
        ApplyResult result,
        DesiredState desired,
        IReadOnlyDictionary<ResourceKey, KubeObject> liveBefore)
    {
        ArgumentNullException.ThrowIfNull(pending);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(liveBefore);
        var entries = pending.Entries.ToDictionary(static e => e.Key);
        var previousEntries = previous?.Entries.ToDictionary(static e => e.Key) ?? [];
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

        return new Inventory { Application = pending.Application, Revision = desired.Revision ?? plan.Revision, Entries = Sort(entries.Values) };
    }

    /// <summary>
    /// For a plan that writes nothing: the inventory without objects that turned out to be someone else's, and with the
    /// desired objects found live with this application's mark and unchanged (after a lost inventory, this rebuilds it
    /// from the marks).
    /// </summary>
    /// <param name="previous">The stored inventory, or <see langword="null"/>.</param>
    /// <param name="plan">The plan (nothing in it writes or deletes).</param>
    /// <returns>The inventory to save, or <see langword="null"/> when that is what is stored already.</returns>
    public static Inventory? Recorded(Inventory? previous, ApplyPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var foreign = plan.Steps.Where(static s => OwnershipPolicy.IsOwnershipRefusal(s.Refusal)).Select(static s => s.Key).ToHashSet();
        var entries = new Dictionary<ResourceKey, InventoryEntry>();
        var changed = false;
        foreach (var e in previous?.Entries ?? [])
        {
            if (foreign.Contains(e.Key))
            {
                changed = true;
            }
            else
            {
                entries[e.Key] = e;
            }
        }

        foreach (var step in plan.Steps)
        {
            if (step.Refusal is null && step.Action == PlanAction.None && step.Desired is { } d && !entries.ContainsKey(d.Key))
            {
                entries[d.Key] = new InventoryEntry(d.Key, d.ApiVersion) { AppliedHash = d.ContentHash };
                changed = true;
            }
        }

        return changed
            ? new Inventory { Application = plan.Application, Revision = previous?.Revision ?? plan.Revision, Entries = Sort(entries.Values) }
            : null;
    }

    /// <summary>Sorts entries by key (the stored order).</summary>
    /// <param name="entries">The entries.</param>
    /// <returns>The entries sorted by key.</returns>
    public static ImmutableArray<InventoryEntry> Sort(IEnumerable<InventoryEntry> entries) => Inventory.SortByKey(entries);
}
