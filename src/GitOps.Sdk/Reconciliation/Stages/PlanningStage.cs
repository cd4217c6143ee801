using System.Collections.Immutable;
using GitOps.Sdk.Diagnostics;
using GitOps.Sdk.Planning;

namespace GitOps.Sdk.Reconciliation;

/// <summary>The plan stage's input.</summary>
/// <param name="Desired">The desired state.</param>
/// <param name="Live">The live snapshot (with the previous inventory).</param>
/// <param name="Diff">The diffs.</param>
internal sealed record PlanInput(DesiredState Desired, LiveSnapshot Live, DiffSet Diff);

/// <summary>Plans with the <see cref="IPlanner"/> under the application's options, then runs the deletion guards on the plan.</summary>
internal sealed class PlanningStage(StageContext context, PlanGuard guard)
{
    public async ValueTask<ReconcilePlan> RunAsync(PlanInput input, CancellationToken cancellationToken)
    {
        var app = context.Definition;
        var inventory = input.Live.Inventory;
        var notes = ImmutableArray<string>.Empty;
        if (input.Desired.Objects.IsDefaultOrEmpty && !app.AllowEmptyPrune && app.Prune && inventory is { Entries.Length: > 0 })
        {
            Log.EmptyRenderNoPrune(context.Logger, app.Name, input.Desired.Revision);
            notes = ["the render was empty: nothing is pruned unless AllowEmptyPrune is set"];
        }

        var request = new PlanRequest
        {
            Application = app.Name,
            Desired = input.Desired,
            Live = input.Live.Objects,
            Diffs = input.Diff.ByKey,
            PreviousInventory = inventory,
            Options = new PlanOptions
            {
                // With an empty render the planner refuses every prune (unless AllowEmptyPrune), so the refusal is reported.
                Prune = app.Prune,
                AllowEmptyPrune = app.AllowEmptyPrune,
                AllowAdoption = app.AllowAdoption,
                AllowTakeover = app.AllowTakeover,
            },
        };
        using (context.StartActivity("gitops.plan"))
        {
            var plan = await guard.ApplyAsync(context.Services.Planner.Plan(request), cancellationToken).ConfigureAwait(false);
            return new ReconcilePlan(plan, notes);
        }
    }
}

/// <summary>Runs the deletion guards (<see cref="PruneGuard"/>) on a plan under the application's options.</summary>
internal sealed class PlanGuard(StageContext context)
{
    /// <summary>Returns the plan with guarded deletes (containers whose contents are not all pruned with them, reserved objects) refused.</summary>
    public ValueTask<ApplyPlan> ApplyAsync(ApplyPlan plan, CancellationToken cancellationToken) =>
        PruneGuard.ApplyAsync(
            plan,
            context.Services.ContainerContents,
            context.Services.Reserved,
            context.Definition.AllowNonEmptyNamespacePrune,
            context.Definition.AllowCrdPruneWithResources,
            cancellationToken);
}
