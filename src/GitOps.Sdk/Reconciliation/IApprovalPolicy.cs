using System.Collections.Immutable;
using GitOps.Sdk.Status;

namespace GitOps.Sdk.Reconciliation;

/// <summary>
/// Decides whether a plan may be applied now. A policy may hold destructive steps (prune, recreate) or the whole
/// plan; held work shows in the application's status (<see cref="ApplicationStatus.HeldPlan"/>) and waits until
/// <c>IGitOpsController.Approve(application, hash)</c> is called with the hash shown there. An approval is pinned to
/// that hash: when live or desired state moves meanwhile, the plan is made again and held again.
/// </summary>
/// <example>
/// <code>
/// services.AddGitOps(…).AddApprovalPolicy(new HoldDestructiveStepsPolicy());
/// // later, after a human looked at controller.GetStatus("shop").HeldPlan:
/// controller.Approve("shop", status.HeldPlan!.Hash);
/// </code>
/// </example>
public interface IApprovalPolicy
{
    /// <summary>Evaluates a plan.</summary>
    /// <param name="request">The application and its plan.</param>
    /// <param name="cancellationToken">Cancels the evaluation.</param>
    /// <returns>Approve, hold some steps, or hold the whole plan.</returns>
    ValueTask<ApprovalDecision> EvaluateAsync(ApprovalRequest request, CancellationToken cancellationToken);
}

/// <summary>What an approval policy is asked about.</summary>
public sealed record ApprovalRequest
{
    /// <summary>Gets the application.</summary>
    public required string Application { get; init; }

    /// <summary>Gets the revision being applied.</summary>
    public string? Revision { get; init; }

    /// <summary>Gets the plan.</summary>
    public required ApplyPlan Plan { get; init; }

    /// <summary>Gets what started the reconcile.</summary>
    public ReconcileTrigger Trigger { get; init; }
}

/// <summary>What an approval policy decided.</summary>
public sealed record ApprovalDecision
{
    /// <summary>Gets a decision that lets the plan run.</summary>
    public static ApprovalDecision Approve { get; } = new() { Verdict = ApprovalVerdict.Approve };

    /// <summary>Gets the verdict.</summary>
    public required ApprovalVerdict Verdict { get; init; }

    /// <summary>Gets the held objects, for <see cref="ApprovalVerdict.HoldSteps"/>.</summary>
    public ImmutableHashSet<ResourceKey> HeldKeys { get; init; } = [];

    /// <summary>Gets why, in words.</summary>
    public string? Reason { get; init; }

    /// <summary>Holds the whole plan.</summary>
    /// <param name="reason">Why.</param>
    /// <returns>The decision.</returns>
    public static ApprovalDecision HoldPlan(string reason) => new() { Verdict = ApprovalVerdict.HoldPlan, Reason = reason };

    /// <summary>Holds some steps and lets the rest run.</summary>
    /// <param name="keys">The held objects.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The decision.</returns>
    public static ApprovalDecision HoldSteps(IEnumerable<ResourceKey> keys, string reason) =>
        new() { Verdict = ApprovalVerdict.HoldSteps, HeldKeys = [.. keys], Reason = reason };
}

/// <summary>The verdict of an approval policy.</summary>
public enum ApprovalVerdict
{
    /// <summary>Apply the plan.</summary>
    Approve,

    /// <summary>Apply the plan except <see cref="ApprovalDecision.HeldKeys"/>.</summary>
    HoldSteps,

    /// <summary>Apply nothing.</summary>
    HoldPlan,
}

/// <summary>Holds prune (delete) and recreate steps until approved; creates and updates run.</summary>
public sealed class HoldDestructiveStepsPolicy : IApprovalPolicy
{
    /// <inheritdoc />
    public ValueTask<ApprovalDecision> EvaluateAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var keys = request.Plan.Steps
            .Where(static s => s.Action is PlanAction.Delete or PlanAction.Recreate)
            .Select(static s => s.Key)
            .ToList();
        return ValueTask.FromResult(keys.Count == 0
            ? ApprovalDecision.Approve
            : ApprovalDecision.HoldSteps(keys, $"{keys.Count} destructive step(s) (prune or recreate) need approval"));
    }
}

/// <summary>Holds every plan that changes anything until approved.</summary>
public sealed class HoldAllChangesPolicy : IApprovalPolicy
{
    /// <inheritdoc />
    public ValueTask<ApprovalDecision> EvaluateAsync(ApprovalRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var changes = request.Plan.Steps.Count(static s => s.Action is PlanAction.Apply or PlanAction.Delete or PlanAction.Recreate);
        return ValueTask.FromResult(changes == 0
            ? ApprovalDecision.Approve
            : ApprovalDecision.HoldPlan($"{changes} change(s) need approval"));
    }
}
