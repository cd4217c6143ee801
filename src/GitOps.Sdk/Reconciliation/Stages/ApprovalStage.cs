using System.Collections.Immutable;
using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Events;
using GitOps.Sdk.Planning;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Reconciliation;

/// <summary>The approval stage's input.</summary>
/// <param name="Plan">The guarded plan, with at least one step that writes or deletes.</param>
/// <param name="Revision">The revision.</param>
/// <param name="Trigger">What started the run.</param>
internal sealed record ApprovalInput(ApplyPlan Plan, string? Revision, ReconcileTrigger Trigger);

/// <summary>
/// Asks the approval policies about the plan, and filters it once (<see cref="ApprovalFilter"/>): held steps become
/// skips unless a person approved exactly these steps (the hash of what they would do).
/// </summary>
internal sealed class ApprovalStage(StageContext context, ApprovalGate gate, PlanGuard guard)
{
    public async ValueTask<ApprovalResult> RunAsync(ApprovalInput input, CancellationToken cancellationToken)
    {
        var plan = input.Plan;
        var decision = await EvaluateAsync(input, cancellationToken).ConfigureAwait(false);
        var heldSteps = ApprovalFilter.HeldSteps(plan, decision);
        if (heldSteps.IsEmpty)
        {
            gate.Decide(null);
            return new ApprovalResult(plan, null);
        }

        var hash = ApprovalFilter.ApprovalHash(heldSteps);
        if (gate.TakeApproval(hash))
        {
            // Approved, and the state it was approved for still holds: apply everything.
            gate.Decide(null);
            return new ApprovalResult(plan, null);
        }

        var previous = gate.Held;
        var wholePlan = decision.Verdict == ApprovalVerdict.HoldPlan;
        var held = new HeldPlan
        {
            Hash = hash,
            WholePlan = wholePlan,
            Reason = decision.Reason,
            Revision = input.Revision,
            Since = previous is not null && previous.Hash == hash ? previous.Since : context.Now,
            Steps = [.. heldSteps.Select(static s => new HeldStep(s.Key, s.Action, s.Diff?.Changes ?? []))],
        };
        gate.Decide(held);
        if (previous?.Hash != hash)
        {
            Log.PlanHeld(context.Logger, context.Application, hash, decision.Reason);
            context.Publish(new PlanHeld { Application = context.Application, Timestamp = context.Now, Revision = input.Revision, Plan = held });
        }

        if (wholePlan)
        {
            return new ApprovalResult(plan, held);
        }

        // A held delete may be the content of a container pruned in the same plan: the guards see the filtered plan.
        var filtered = await guard.ApplyAsync(ApprovalFilter.Apply(plan, heldSteps, hash, decision.Reason), cancellationToken).ConfigureAwait(false);
        return new ApprovalResult(filtered, held);
    }

    private async ValueTask<ApprovalDecision> EvaluateAsync(ApprovalInput input, CancellationToken cancellationToken)
    {
        var policies = context.Services.ApprovalPolicies;
        if (policies.Count == 0)
        {
            return ApprovalDecision.Approve;
        }

        var request = new ApprovalRequest { Application = context.Application, Revision = input.Revision, Plan = input.Plan, Trigger = input.Trigger };
        var keys = ImmutableHashSet.CreateBuilder<ResourceKey>();
        var reasons = new List<string>();
        var verdict = ApprovalVerdict.Approve;
        foreach (var policy in policies)
        {
            var d = await policy.EvaluateAsync(request, cancellationToken).ConfigureAwait(false);
            if (d.Verdict == ApprovalVerdict.Approve)
            {
                continue;
            }

            if (d.Reason is not null)
            {
                reasons.Add(d.Reason);
            }

            if (d.Verdict == ApprovalVerdict.HoldPlan)
            {
                verdict = ApprovalVerdict.HoldPlan;
            }
            else if (verdict == ApprovalVerdict.Approve)
            {
                verdict = ApprovalVerdict.HoldSteps;
            }

            keys.UnionWith(d.HeldKeys);
        }

        return verdict == ApprovalVerdict.Approve
            ? ApprovalDecision.Approve
            : new ApprovalDecision { Verdict = verdict, HeldKeys = keys.ToImmutable(), Reason = string.Join("; ", reasons) };
    }
}
