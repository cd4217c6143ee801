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
    public ValueTask<ApplyResult> ExecuteAsync(ApplyPlan plan, ApplyOptions options, CancellationToken cancellationToken) =>
        ExecuteAsync(plan, options, null, cancellationToken);

    /// <summary>
    /// Executes <paramref name="plan"/>, calling <paramref name="barrier"/> before anything else (after its
    /// <see cref="WaveBarrier.First"/> applies: the namespaces PreSync hooks need), and after the applies of each wave (and of each of
    /// its extra waves that has no step), before anything of a later wave or any delete: the reconciler runs Sync hooks
    /// and the wave health gate there. A barrier that answers a reason stops the rest, reported as skipped with it.
    /// </summary>
    internal async ValueTask<ApplyResult> ExecuteAsync(ApplyPlan plan, ApplyOptions options, WaveBarrier? barrier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        var steps = plan.Steps;
        var run = new ExecutionRun(plan, options);
        var runner = new StepRunner(_writer, run, _logger);
        var order = ExecutionOrder(steps);
        var limit = Math.Max(1, options.MaxConcurrency ?? _writer.MaxConcurrency);
        using var gate = new SemaphoreSlim(limit, limit);
        var pendingWaves = barrier is null
            ? new SortedSet<int>()
            : new SortedSet<int>(barrier.ExtraWaves.Concat(steps.Where(static s => s.Action != PlanAction.Delete).Select(static s => s.Wave)));
        string? stopped = null;
        int? failedWave = null;
        if (barrier is not null)
        {
            (order, stopped) = await BeforeSyncAsync(barrier, steps, order, gate, runner, run, cancellationToken).ConfigureAwait(false);
        }

        var i = 0;
        while (i < order.Length || pendingWaves.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // Barriers of the waves that are done: every wave below the next batch's (a wave's own barrier comes after its
            // batches), or all of them before the deletes.
            var next = i < order.Length && steps[order[i]].Action != PlanAction.Delete ? steps[order[i]].Wave : (int?)null;
            while (barrier is not null && stopped is null && failedWave is null && pendingWaves.Count > 0 && (next is null || pendingWaves.Min < next))
            {
                var done = pendingWaves.Min;
                pendingWaves.Remove(done);
                stopped = await barrier.AfterWaveAsync(done, run.ResultOf, cancellationToken).ConfigureAwait(false);
            }

            if (barrier is not null && (stopped is not null || failedWave is not null))
            {
                pendingWaves.Clear();
            }

            if (i >= order.Length)
            {
                break;
            }

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
                if (stopped is not null && Writes(step))
                {
                    run.Set(index, new ObjectApplyResult(step.Key, ApplyOutcome.Skipped, $"not carried out: {stopped}"));
                    continue;
                }

                if (failedWave is { } failed && (step.Wave > failed || step.Action == PlanAction.Delete) && Writes(step))
                {
                    run.Set(index, new ObjectApplyResult(step.Key, ApplyOutcome.Skipped, $"not carried out: an earlier step of wave {failed} failed"));
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

    /// <summary>
    /// Carries out the barrier's <see cref="WaveBarrier.First"/> applies (one at a time, in plan order), then its
    /// <see cref="WaveBarrier.BeforeSyncAsync"/>; returns the order of the steps still to run and why they must not be
    /// carried out, if so.
    /// </summary>
    private async ValueTask<(int[] Order, string? Stopped)> BeforeSyncAsync(
        WaveBarrier barrier,
        ImmutableArray<PlanStep> steps,
        int[] order,
        SemaphoreSlim gate,
        StepRunner runner,
        ExecutionRun run,
        CancellationToken cancellationToken)
    {
        var first = barrier.First;
        var done = new HashSet<int>();
        foreach (var index in order)
        {
            var step = steps[index];
            if (step.Action != PlanAction.Apply || !first.Contains(step.Key))
            {
                continue;
            }

            await RunAsync(gate, runner, run, index, step, cancellationToken).ConfigureAwait(false);
            done.Add(index);
            if (run.Results[index].Outcome == ApplyOutcome.Failed)
            {
                return ([.. order.Where(i => !done.Contains(i))], $"{step.Key}, applied before the PreSync hooks, failed");
            }
        }

        var stopped = await barrier.BeforeSyncAsync(run.ResultOf, cancellationToken).ConfigureAwait(false);
        return (done.Count == 0 ? order : [.. order.Where(i => !done.Contains(i))], stopped);
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

/// <summary>What the executor calls between waves (<see cref="PlanExecutor.ExecuteAsync(ApplyPlan, ApplyOptions, WaveBarrier?, CancellationToken)"/>).</summary>
internal abstract class WaveBarrier
{
    /// <summary>Gets waves to stop at although no step of the plan has them (waves that only hooks have).</summary>
    public abstract IReadOnlyCollection<int> ExtraWaves { get; }

    /// <summary>
    /// Gets the objects whose <see cref="PlanAction.Apply"/> steps run before everything else, ahead of
    /// <see cref="BeforeSyncAsync"/> (the namespaces PreSync hooks are created in).
    /// </summary>
    public virtual IReadOnlySet<ResourceKey> First => ImmutableHashSet<ResourceKey>.Empty;

    /// <summary>Runs after the <see cref="First"/> applies and before any other step (PreSync hooks); returns why the rest must not be carried out, or <see langword="null"/> to go on.</summary>
    /// <param name="resultOf">The result of a step so far, by key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public virtual ValueTask<string?> BeforeSyncAsync(Func<ResourceKey, ObjectApplyResult?> resultOf, CancellationToken cancellationToken) =>
        ValueTask.FromResult<string?>(null);

    /// <summary>Runs after the applies of <paramref name="wave"/>; returns why the rest must not be carried out, or <see langword="null"/> to go on.</summary>
    /// <param name="wave">The wave whose applies are done.</param>
    /// <param name="resultOf">The result of a step so far, by key (the object as written, for freshness checks).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public abstract ValueTask<string?> AfterWaveAsync(int wave, Func<ResourceKey, ObjectApplyResult?> resultOf, CancellationToken cancellationToken);
}
