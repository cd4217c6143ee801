using System.Collections.Immutable;
using GitOps.Sdk.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Sdk.Execution;

/// <summary>
/// Carries out an <see cref="ApplyPlan"/> through an <see cref="IResourceWriter"/>, one object at a time, so that every
/// target (a cluster, an emulator, an in-memory fake) shares the same rules:
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><description>Applies run before deletes, lower sync waves first; within a wave the plan's order (kind order)
/// holds. Consecutive steps of one wave and kind form a batch, written concurrently up to
/// <see cref="ApplyOptions.MaxConcurrency"/> (default: the writer's <see cref="IResourceWriter.MaxConcurrency"/>);
/// batches run one after another.</description></item>
/// <item><description>A failed step stops later waves and every delete: they are reported as skipped.</description></item>
/// <item><description>Deletes remove contents before containers (namespaced objects, then Namespaces, then
/// CustomResourceDefinitions), otherwise in the plan's (reverse) order.</description></item>
/// <item><description>A custom resource whose CustomResourceDefinition is in the plan waits until the writer reports the
/// definition established; it fails, naming the definition, when the definition was not applied or never becomes
/// established. A dry-run cannot validate it and reports it as created after the definition.</description></item>
/// <item><description>An apply refused because immutable fields changed is deleted and created again only when
/// <see cref="ApplyOptions.AllowRecreate"/> or the <see cref="WellKnown.RecreateAnnotation"/> annotation is
/// <c>true</c>; otherwise it fails naming the fields and both ways to allow it. <see cref="PlanAction.Recreate"/>
/// steps are always deleted and created again.</description></item>
/// <item><description><see cref="PlanAction.None"/> and <see cref="PlanAction.Skip"/> steps reach no writer, so a steady
/// state causes no write.</description></item>
/// </list>
/// </remarks>
/// <example>
/// <code>
/// var executor = new PlanExecutor(writer);
/// ApplyResult preview = await executor.ExecuteAsync(plan, new ApplyOptions { DryRun = true }, cancellationToken);
/// ApplyResult result = await executor.ExecuteAsync(plan, new ApplyOptions { Force = true }, cancellationToken);
/// </code>
/// </example>
public sealed class PlanExecutor
{
    private readonly IResourceWriter _writer;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="writer">The target's per-object writer.</param>
    /// <param name="logger">The logger.</param>
    public PlanExecutor(IResourceWriter writer, ILogger<PlanExecutor>? logger = null)
    {
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Executes <paramref name="plan"/>.</summary>
    /// <param name="plan">The steps.</param>
    /// <param name="options">Dry-run, force, field manager, propagation policy, recreate permission and concurrency.</param>
    /// <param name="cancellationToken">Cancels between batches and the writes under way.</param>
    /// <returns>One result per step, in plan order. Failures are results, not exceptions.</returns>
    public async ValueTask<ApplyResult> ExecuteAsync(ApplyPlan plan, ApplyOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        var steps = plan.Steps;
        var run = new ExecutionRun(plan, options);
        var runner = new StepRunner(_writer, run, _logger);
        var order = ExecutionOrder(steps);
        var limit = Math.Max(1, options.MaxConcurrency ?? _writer.MaxConcurrency);
        using var gate = new SemaphoreSlim(limit, limit);
        int? failedWave = null;
        var i = 0;
        while (i < order.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var j = i + 1;
            while (j < order.Length && SameBatch(steps[order[i]], steps[order[j]]))
            {
                j++;
            }

            var tasks = new List<Task>(j - i);
            for (var k = i; k < j; k++)
            {
                var index = order[k];
                var step = steps[index];
                if (failedWave is { } wave && (step.Wave > wave || step.Action == PlanAction.Delete) && Writes(step))
                {
                    run.Set(index, new ObjectApplyResult(step.Key, ApplyOutcome.Skipped, $"not carried out: an earlier step of wave {wave} failed"));
                    continue;
                }

                tasks.Add(RunAsync(gate, runner, run, index, step, cancellationToken));
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
            for (var k = i; k < j && failedWave is null; k++)
            {
                if (run.Results[order[k]].Outcome == ApplyOutcome.Failed)
                {
                    failedWave = steps[order[k]].Wave;
                }
            }

            i = j;
        }

        return new ApplyResult { Objects = ImmutableArray.Create(run.Results), DryRun = options.DryRun };
    }

    /// <summary>The order steps run in: applies by wave (plan order within a wave), then deletes, contents before containers and highest wave first.</summary>
    internal static int[] ExecutionOrder(ImmutableArray<PlanStep> steps)
    {
        var order = Enumerable.Range(0, steps.Length).ToArray();

        // A stable sort: ties keep the plan's order, which carries the kind order (and a host's overrides of it).
        return [.. order.OrderBy(i => steps[i].Action == PlanAction.Delete ? 1 : 0)
            .ThenBy(i => steps[i].Action == PlanAction.Delete ? ContainerOrder(steps[i].Key) : 0)
            .ThenBy(i => steps[i].Action == PlanAction.Delete ? -steps[i].Wave : steps[i].Wave)];
    }

    private static int ContainerOrder(ResourceKey key) =>
        key.Group.Length == 0 && key.Kind == "Namespace" ? 1
        : key.Group == ExecutionRun.CrdGroup && key.Kind == "CustomResourceDefinition" ? 2
        : 0;

    private static bool Writes(PlanStep step) => step.Action is PlanAction.Apply or PlanAction.Delete or PlanAction.Recreate;

    private static bool SameBatch(PlanStep a, PlanStep b) =>
        a.Wave == b.Wave
        && a.Key.GroupKind == b.Key.GroupKind
        && (a.Action == PlanAction.Delete) == (b.Action == PlanAction.Delete);

    private async Task RunAsync(SemaphoreSlim gate, StepRunner runner, ExecutionRun run, int index, PlanStep step, CancellationToken cancellationToken)
    {
        if (!Writes(step))
        {
            run.Set(index, await runner.RunAsync(step, cancellationToken).ConfigureAwait(false));
            return;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        ObjectApplyResult result;
        try
        {
            result = await runner.RunAsync(step, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }

        run.Set(index, result);
        Log.StepDone(_logger, run.Plan.Application, step.Key, result.Outcome, run.Options.DryRun, result.Message);
    }
}
