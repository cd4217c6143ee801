using GitOps.Sdk.Status;

namespace GitOps.Sdk.Reconciliation;

/// <summary>
/// State kept between runs for approvals: the plan currently held and the hash a person approved. An approval is
/// pinned to the held steps' hash, and used (or voided) by the next run that reaches the approval filter.
/// </summary>
internal sealed class ApprovalGate
{
    private readonly Lock _lock = new();
    private HeldPlan? _held;
    private string? _approved;

    /// <summary>Gets the plan currently held, or <see langword="null"/>.</summary>
    public HeldPlan? Held
    {
        get
        {
            lock (_lock)
            {
                return _held;
            }
        }
    }

    /// <summary>Approves the held plan with <paramref name="hash"/>; returns <see langword="false"/> when no held plan has that hash.</summary>
    public bool Approve(string hash)
    {
        lock (_lock)
        {
            if (_held is null || !string.Equals(_held.Hash, hash, StringComparison.Ordinal))
            {
                return false;
            }

            _approved = hash;
            return true;
        }
    }

    /// <summary>Takes the approval for <paramref name="hash"/> if one was given (an approval is used once); any other approval is voided.</summary>
    public bool TakeApproval(string hash)
    {
        lock (_lock)
        {
            var approved = string.Equals(_approved, hash, StringComparison.Ordinal);
            _approved = null;
            return approved;
        }
    }

    /// <summary>Records the run's decision: <paramref name="held"/> waits (or nothing does, for <see langword="null"/>); any approval is voided.</summary>
    public void Decide(HeldPlan? held)
    {
        lock (_lock)
        {
            _held = held;
            _approved = null;
        }
    }
}
