using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitOps.Sdk.Reconciliation;

namespace GitOps.Sdk.Planning;

/// <summary>
/// The approval gate as a plan filter, applied once to the plan the planner made: the steps the policies hold become
/// skips that name the approval hash, and the plan is not made again. A whole-plan hold leaves the plan as it is (it
/// is not applied).
/// </summary>
internal static class ApprovalFilter
{
    /// <summary>Returns the write and delete steps <paramref name="decision"/> holds.</summary>
    public static ImmutableArray<PlanStep> HeldSteps(ApplyPlan plan, ApprovalDecision decision)
    {
        if (decision.Verdict == ApprovalVerdict.Approve)
        {
            return [];
        }

        var wholePlan = decision.Verdict == ApprovalVerdict.HoldPlan;
        return [.. plan.Steps.Where(s => ReconcilePlan.IsActionable(s.Action) && (wholePlan || decision.HeldKeys.Contains(s.Key)))];
    }

    /// <summary>Turns the held steps into skips whose reason names the approval hash; the plan's hash is computed again.</summary>
    public static ApplyPlan Apply(ApplyPlan plan, ImmutableArray<PlanStep> held, string hash, string? reason)
    {
        var keys = held.Select(static s => s.Key).ToHashSet();
        if (keys.Count == 0)
        {
            return plan;
        }

        ImmutableArray<PlanStep> steps = [.. plan.Steps.Select(s => keys.Contains(s.Key) && ReconcilePlan.IsActionable(s.Action)
            ? s with { Action = PlanAction.Skip, Reason = $"{s.Key} is held: held for approval (hash {hash}): {reason}", AdoptedFrom = null }
            : s)];
        return plan with { Steps = steps, Hash = Planner.ComputeHash(plan.Application, steps) };
    }

    /// <summary>
    /// Hashes what the held steps would do: object, action, desired content, the field-level diff, and for deletes and
    /// recreates the live object's uid and resourceVersion. Unlike <see cref="ApplyPlan.Hash"/> it ignores the
    /// resourceVersion of objects that are only updated, so a controller writing their status does not void an approval,
    /// while any change to what the steps would do does.
    /// </summary>
    public static string ApprovalHash(IEnumerable<PlanStep> steps)
    {
        var sb = new StringBuilder();
        foreach (var s in steps.OrderBy(static s => s.Key))
        {
            sb.Append(s.Key).Append('|').Append(s.Action).Append('|').Append(s.Desired?.ContentHash).Append('|');
            if (s.Live is { } live && live.Metadata.ValueKind == JsonValueKind.Object)
            {
                sb.Append(live.Metadata.TryGetProperty("uid", out var uid) ? uid.ToString() : string.Empty).Append('|');
                if (s.Action is PlanAction.Delete or PlanAction.Recreate)
                {
                    sb.Append(live.Metadata.TryGetProperty("resourceVersion", out var rv) ? rv.ToString() : string.Empty);
                }
            }

            foreach (var c in s.Diff?.Changes ?? [])
            {
                sb.Append(c.Path).Append('=').Append(c.DesiredValue).Append('<').Append(c.LiveValue).Append(';');
            }

            sb.Append('\n');
        }

        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }
}
