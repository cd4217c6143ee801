using GitOps.Sdk.Status;
using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Planning;

namespace GitOps.Sdk.Reconciliation;

/// <summary>Admits a rendered revision whole or refuses it whole: nothing of a refused revision is applied or pruned.</summary>
internal sealed class RevisionAdmission(StageContext context)
{
    private const int Shown = 20;
    private ConfinementPolicy? _confinement;

    /// <summary>Returns the refusal, or <see langword="null"/> when the revision may go on.</summary>
    public StageFailure? Check(DesiredState desired, string? revision)
    {
        // Reserved objects first: no option allows them, so they are refused before any confinement rule is asked.
        if (context.Services.Reserved is { } reserved && ReservedCheck.Violations(desired, reserved) is { Length: > 0 } reservedViolations)
        {
            return StageFailure.At(ReconcileStage.Plan, $"revision refused, nothing is applied or pruned: {reservedViolations}");
        }

        _confinement ??= ConfinementPolicy.For(context.Definition, context.Services.Options, context.Services.ExtraClusterScopedKinds);
        var violations = _confinement.Evaluate(desired);
        if (violations.Length == 0)
        {
            return null;
        }

        Log.ConfinementViolated(context.Logger, context.Application, revision, violations.Length, string.Join(" | ", violations.Take(Shown)));
        var shown = string.Join("; ", violations.Take(Shown));
        var more = violations.Length > Shown ? $" (and {violations.Length - Shown} more)" : string.Empty;
        return StageFailure.Confinement(violations, $"confinement violated, nothing applied or pruned ({violations.Length} object(s)): {shown}{more}");
    }
}
