using System.Collections.Immutable;
using System.Text.Json;

namespace GitOps.Sdk.Planning;

/// <summary>
/// The one ownership rule, used by the planner (what may be written or pruned) and by the reconciler (what enters the
/// inventory): an object belongs to an application only when that application applied it with its ownership mark.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><description>A live object whose ownership label names another application is refused unless
/// <see cref="PlanOptions.AllowTakeover"/> (application option <c>AllowTakeover</c>).</description></item>
/// <item><description>A live object without the label is refused unless the application's inventory already lists it
/// (it was applied by this application and the label was removed since) or <see cref="PlanOptions.AllowAdoption"/>
/// (application option <c>AllowAdoption</c>, CLI <c>--adopt</c>).</description></item>
/// <item><description>A refused object is never written, never recorded in the inventory and never pruned.</description></item>
/// <item><description>An inventory written by another owner (<see cref="Inventory.Owner"/> is not the application's
/// <c>ApplicationDefinition.Owner</c>: another <c>GitOpsApplication</c> of the same name) is not the application's
/// (<see cref="ForInventory"/>): while an object it records is live, the application applies, prunes and adopts nothing
/// and each such object is refused, unless <see cref="PlanOptions.AllowTakeover"/>; once none is live it starts
/// afresh.</description></item>
/// </list>
/// </remarks>
internal static class OwnershipPolicy
{
    /// <summary>Decides whether <paramref name="application"/> may write its desired object over <paramref name="live"/>.</summary>
    /// <returns>The refusal with its reason, or <see langword="null"/> with <paramref name="adoptedFrom"/> set when the write takes the object over.</returns>
    public static (PlanRefusal Refusal, string Reason)? ForApply(
        string application,
        ResourceKey key,
        KubeObject? live,
        bool inInventory,
        PlanOptions options,
        out string? adoptedFrom)
    {
        adoptedFrom = null;
        if (live is null)
        {
            return null;
        }

        var owner = live.GetLabel(options.OwnershipLabel);
        if (owner is { Length: > 0 })
        {
            if (string.Equals(owner, application, StringComparison.Ordinal))
            {
                return null;
            }

            if (options.AllowTakeover)
            {
                adoptedFrom = owner;
                return null;
            }

            return (
                new PlanRefusal(PlanRefusalRules.OwnedByOtherApplication, owner, "AllowTakeover"),
                $"{key} is owned by application '{owner}' (label {options.OwnershipLabel}={owner}); application '{application}' does not take it over: not applied, not recorded, not pruned (set AllowTakeover on application '{application}', CLI --takeover, to take it over)");
        }

        if (inInventory)
        {
            // Applied by this application before; someone removed the mark since. Applying restores it.
            return null;
        }

        if (options.AllowAdoption)
        {
            adoptedFrom = string.Empty;
            return null;
        }

        var writers = Writers(live);
        return (
            new PlanRefusal(PlanRefusalRules.NotMarked, writers, "AllowAdoption"),
            $"{key} already exists without the ownership label {options.OwnershipLabel} (created outside application '{application}'{(writers is null ? string.Empty : $", written by {writers}")}); application '{application}' does not adopt it: not applied, not recorded, not pruned (set AllowAdoption on application '{application}', CLI --adopt, to adopt it)");
    }

    /// <summary>Decides whether <paramref name="application"/> may prune <paramref name="live"/>, an object its inventory lists.</summary>
    /// <returns>The refusal with its reason, or <see langword="null"/> when the object carries this application's mark.</returns>
    public static (PlanRefusal Refusal, string Reason)? ForPrune(string application, ResourceKey key, KubeObject live, PlanOptions options)
    {
        var owner = live.GetLabel(options.OwnershipLabel);
        if (string.Equals(owner, application, StringComparison.Ordinal))
        {
            return null;
        }

        if (owner is { Length: > 0 })
        {
            return (
                new PlanRefusal(PlanRefusalRules.OwnedByOtherApplication, owner, "AllowTakeover"),
                $"{key} is not pruned: it is owned by application '{owner}' (label {options.OwnershipLabel}={owner}), not by application '{application}'; application '{application}' lets go of it");
        }

        var writers = Writers(live);
        return (
            new PlanRefusal(PlanRefusalRules.NotMarked, writers, "AllowAdoption"),
            $"{key} is not pruned: it does not carry application '{application}''s ownership label {options.OwnershipLabel}{(writers is null ? string.Empty : $" (written by {writers})")}; application '{application}' lets go of it");
    }

    /// <summary>
    /// Decides whether the stored <paramref name="inventory"/> is this application's: written by the same
    /// <paramref name="owner"/> (or there is none), taken over (another owner's, with <c>AllowTakeover</c>), abandoned
    /// (another owner's, none of its objects live: the application starts afresh) or refused (another owner's with live
    /// objects: each is a refused step naming the object, both owners and the option).
    /// </summary>
    public static (InventoryOwnership Decision, ImmutableArray<PlanStep> Refused) ForInventory(
        string application,
        string? owner,
        Inventory? inventory,
        IReadOnlyList<KubeObject> desired,
        IReadOnlyDictionary<ResourceKey, KubeObject> live,
        bool allowTakeover)
    {
        if (inventory is null || string.Equals(inventory.Owner, owner, StringComparison.Ordinal))
        {
            return (InventoryOwnership.Own, []);
        }

        if (allowTakeover)
        {
            return (InventoryOwnership.TakenOver, []);
        }

        var desiredByKey = new Dictionary<ResourceKey, KubeObject>();
        foreach (var d in desired)
        {
            desiredByKey[d.Key] = d;
        }

        var other = DescribeOwner(inventory.Owner);
        var self = DescribeOwner(owner);
        var steps = ImmutableArray.CreateBuilder<PlanStep>();
        foreach (var entry in inventory.Entries)
        {
            if (!live.TryGetValue(entry.Key, out var liveObject))
            {
                continue;
            }

            var wanted = desiredByKey.GetValueOrDefault(entry.Key);
            var what = wanted is null
                ? $"{entry.Key} is not pruned: it is recorded in the inventory of application '{application}' written by {other}, not by {self}, whose application '{application}' does not own it"
                : $"{entry.Key} is not adopted: it is recorded in the inventory of application '{application}' written by {other}, not by {self}, whose application '{application}' does not take it over";
            steps.Add(new PlanStep
            {
                Key = entry.Key,
                Action = PlanAction.Skip,
                Desired = wanted,
                Live = liveObject,
                Reason = $"{what}; nothing is applied or pruned while that inventory's objects are live (set AllowTakeover on application '{application}', CLI --takeover, to take them over; or delete them, or that inventory, to let go of them)",
                Refusal = new PlanRefusal(PlanRefusalRules.OwnedByOtherApplication, other, "AllowTakeover"),
            });
        }

        return steps.Count == 0 ? (InventoryOwnership.Abandoned, []) : (InventoryOwnership.Refused, steps.ToImmutable());
    }

    /// <summary>Names an application owner in messages: the owner itself, or what an application without one is.</summary>
    public static string DescribeOwner(string? owner) =>
        owner is { Length: > 0 } ? owner : "an application without an owner (the configuration's, or a code-defined source's)";

    /// <summary>Returns <see langword="true"/> when a refusal means the application does not own the object (so it leaves the inventory).</summary>
    public static bool IsOwnershipRefusal(PlanRefusal? refusal) =>
        refusal is { Rule: PlanRefusalRules.OwnedByOtherApplication or PlanRefusalRules.NotMarked };

    /// <summary>
    /// Returns <see langword="true"/> when <paramref name="step"/> of a completed apply makes its object part of the
    /// application's inventory: the application wrote it (or found it unchanged) with its mark.
    /// </summary>
    public static bool EntersInventory(PlanStep step, ApplyOutcome? outcome) =>
        step.Refusal is null
        && step.Action is PlanAction.Apply or PlanAction.Recreate or PlanAction.None
        && outcome is null or ApplyOutcome.Created or ApplyOutcome.Configured or ApplyOutcome.Unchanged;

    /// <summary>Names the field managers of an unmarked object (who made it), for refusal messages.</summary>
    private static string? Writers(KubeObject live)
    {
        if (live.Metadata.ValueKind != JsonValueKind.Object
            || !live.Metadata.TryGetProperty("managedFields", out var fields)
            || fields.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var managers = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entry in fields.EnumerateArray())
        {
            if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("manager", out var m) && m.ValueKind == JsonValueKind.String)
            {
                managers.Add(m.GetString()!);
            }
        }

        return managers.Count == 0 ? null : "field manager " + string.Join(", ", managers.Select(static m => $"'{m}'"));
    }
}

/// <summary>What a reconcile makes of its stored inventory (<see cref="OwnershipPolicy.ForInventory"/>).</summary>
internal enum InventoryOwnership
{
    /// <summary>There is none, or the application's owner wrote it.</summary>
    Own,

    /// <summary>Another owner wrote it and the application takes its objects over (<c>AllowTakeover</c>).</summary>
    TakenOver,

    /// <summary>Another owner wrote it and none of its objects is live: the application starts afresh.</summary>
    Abandoned,

    /// <summary>Another owner wrote it and some of its objects are live: the application applies and prunes nothing.</summary>
    Refused,
}
