using GitOps.Sdk.Diagnostics;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Execution;

/// <summary>Runs one plan step through the writer: CRD gating, the dry-run allowances and the re-create decision.</summary>
internal sealed class StepRunner
{
    private readonly IResourceWriter _writer;
    private readonly ExecutionRun _run;
    private readonly ILogger _logger;

    public StepRunner(IResourceWriter writer, ExecutionRun run, ILogger logger)
    {
        _writer = writer;
        _run = run;
        _logger = logger;
    }

    private ApplyOptions Options => _run.Options;

    public async Task<ObjectApplyResult> RunAsync(PlanStep step, CancellationToken cancellationToken) => step.Action switch
    {
        PlanAction.None => new ObjectApplyResult(step.Key, ApplyOutcome.Unchanged) { Result = step.Live },
        PlanAction.Skip => new ObjectApplyResult(step.Key, ApplyOutcome.Skipped, step.Reason ?? "skipped by the plan"),
        PlanAction.Apply => await ApplyAsync(step, cancellationToken).ConfigureAwait(false),
        PlanAction.Recreate => await RecreateStepAsync(step, cancellationToken).ConfigureAwait(false),
        PlanAction.Delete => await DeleteAsync(step, cancellationToken).ConfigureAwait(false),
        _ => new ObjectApplyResult(step.Key, ApplyOutcome.Failed, $"unknown plan action {step.Action}"),
    };

    private async Task<ObjectApplyResult> ApplyAsync(PlanStep step, CancellationToken cancellationToken)
    {
        if (step.Desired is not { } desired)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, "the plan step has no desired object");
        }

        var gate = await GateOnCrdAsync(step, desired, cancellationToken).ConfigureAwait(false);
        if (gate is not null)
        {
            return gate;
        }

        var written = await _writer.ApplyAsync(Request(desired, step.Live), cancellationToken).ConfigureAwait(false);
        switch (written.Failure)
        {
            case WriteFailure.None:
                return Result(step, written);
            case WriteFailure.KindNotServed when Options.DryRun && _run.CrdsInPlan.TryGetValue(desired.Key.GroupKind, out var crd):
                // The dry-run did not create the CRD; the target cannot validate the custom resource yet.
                return new ObjectApplyResult(step.Key, Predicted(step), $"will be created after the CRD {crd.Name} (not validated by the server: the CustomResourceDefinition is created by this plan)");
            case WriteFailure.NamespaceNotFound when Options.DryRun && desired.Namespace.Length > 0 && _run.NamespacesInPlan.Contains(desired.Namespace):
                // A dry-run creates nothing, so the namespace this plan creates does not exist for the objects in it.
                return new ObjectApplyResult(step.Key, Predicted(step), $"not validated by the server: its namespace {desired.Namespace} is created by this plan");
            case WriteFailure.ImmutableField:
                return await ImmutableAsync(step, desired, written, cancellationToken).ConfigureAwait(false);
            default:
                return Result(step, written);
        }
    }

    private async Task<ObjectApplyResult> ImmutableAsync(PlanStep step, KubeObject desired, WriteResult refused, CancellationToken cancellationToken)
    {
        var fields = refused.ImmutableFields.IsDefaultOrEmpty ? "(unnamed field)" : string.Join(", ", refused.ImmutableFields);
        if (Options.AllowRecreate || string.Equals(desired.GetAnnotation(WellKnown.RecreateAnnotation), "true", StringComparison.OrdinalIgnoreCase))
        {
            return await RecreateAsync(step, desired, $"immutable field {fields} changed", cancellationToken).ConfigureAwait(false);
        }

        return new ObjectApplyResult(
            step.Key,
            ApplyOutcome.Failed,
            $"immutable field {fields} cannot be changed ({refused.Message}); set ApplyOptions.AllowRecreate or annotate the object {WellKnown.RecreateAnnotation}=\"true\" to delete and re-create it");
    }

    private async Task<ObjectApplyResult> RecreateStepAsync(PlanStep step, CancellationToken cancellationToken)
    {
        if (step.Desired is not { } desired)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, "the plan step has no desired object");
        }

        var gate = await GateOnCrdAsync(step, desired, cancellationToken).ConfigureAwait(false);
        return gate ?? await RecreateAsync(step, desired, step.Reason ?? "the plan asks for re-creation", cancellationToken).ConfigureAwait(false);
    }

    private async Task<ObjectApplyResult> RecreateAsync(PlanStep step, KubeObject desired, string reason, CancellationToken cancellationToken)
    {
        Log.Recreating(_logger, _run.Plan.Application, step.Key, reason);

        // The live object the step was planned against carries its uid: only that very object is deleted.
        var delete = await _writer.DeleteAsync(
            new DeleteRequest
            {
                Target = step.Live ?? desired,
                Application = _run.Plan.Application,
                DryRun = Options.DryRun,
                PropagationPolicy = Options.PropagationPolicy,
                WaitUntilGone = !Options.DryRun,
            },
            cancellationToken).ConfigureAwait(false);
        if (delete.Outcome is not (ApplyOutcome.Deleted or ApplyOutcome.Unchanged))
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, $"{reason}; deleting it for re-creation failed: {delete.Message}");
        }

        if (Options.DryRun)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Configured, $"would be deleted and re-created: {reason}") { Result = desired };
        }

        var created = await _writer.ApplyAsync(Request(desired, live: null) with { Force = true }, cancellationToken).ConfigureAwait(false);
        if (created.Outcome == ApplyOutcome.Failed)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, $"{reason}; deleted, but creating it again failed: {created.Message}");
        }

        return new ObjectApplyResult(step.Key, ApplyOutcome.Configured, $"deleted and re-created: {reason}") { Result = created.Result };
    }

    private async Task<ObjectApplyResult> DeleteAsync(PlanStep step, CancellationToken cancellationToken)
    {
        if (step.Live is not { } live)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Deleted, "already gone");
        }

        var deleted = await _writer.DeleteAsync(
            new DeleteRequest { Target = live, Application = _run.Plan.Application, DryRun = Options.DryRun, PropagationPolicy = Options.PropagationPolicy },
            cancellationToken).ConfigureAwait(false);
        return Result(step, deleted);
    }

    /// <summary>A custom resource whose CRD is in the plan waits for it; returns the step's result when it cannot go on, or <see langword="null"/>.</summary>
    private async Task<ObjectApplyResult?> GateOnCrdAsync(PlanStep step, KubeObject desired, CancellationToken cancellationToken)
    {
        if (!_run.CrdsInPlan.TryGetValue(desired.Key.GroupKind, out var crd))
        {
            return null;
        }

        var crdResult = _run.ResultOf(crd.Key);
        if (crdResult is null)
        {
            return new ObjectApplyResult(
                step.Key,
                ApplyOutcome.Failed,
                $"its CustomResourceDefinition {crd.Name} is applied later in the plan (wave {_run.WaveOf(crd.Key)}, this object's wave is {step.Wave}); put the definition in an earlier wave");
        }

        if (crdResult.Outcome is ApplyOutcome.Failed or ApplyOutcome.Skipped)
        {
            return new ObjectApplyResult(step.Key, ApplyOutcome.Failed, $"its CustomResourceDefinition {crd.Name} was not applied: {crdResult.Message}");
        }

        if (Options.DryRun)
        {
            // Nothing was created; the write itself tells whether the kind is served already.
            return null;
        }

        var wait = _run.CrdWaits.GetOrAdd(crd.Name, _ =>
        {
            Log.WaitingForCrd(_logger, _run.Plan.Application, crd.Name);
            return _writer.WaitEstablishedAsync(crd, cancellationToken).AsTask();
        });
        var ready = await wait.ConfigureAwait(false);
        return ready.IsReady ? null : new ObjectApplyResult(step.Key, ApplyOutcome.Failed, ready.Message ?? $"its CustomResourceDefinition {crd.Name} is not established");
    }

    private ApplyRequest Request(KubeObject desired, KubeObject? live) => new()
    {
        Desired = desired,
        Live = live,
        Application = _run.Plan.Application,
        DryRun = Options.DryRun,
        Force = Options.Force,
        FieldManager = Options.FieldManager,
    };

    private static ApplyOutcome Predicted(PlanStep step) => step.Live is null ? ApplyOutcome.Created : ApplyOutcome.Configured;

    private static ObjectApplyResult Result(PlanStep step, WriteResult written) =>
        new(step.Key, written.Outcome, written.Message) { Result = written.Result };
}
