using System.Collections.Immutable;

namespace GitOps.Sdk.Testing.InMemory;

/// <summary>
/// Applies plans to an <see cref="InMemoryCluster"/>: server-side-apply semantics for apply steps (see
/// <see cref="InMemoryCluster.Apply"/>), delete for prunes, delete-and-create for recreates; dry-run stores nothing.
/// Records every plan it was given, for assertions.
/// </summary>
public sealed class InMemoryApplier : IApplier
{
    private readonly InMemoryCluster _cluster;
    private readonly List<ApplyPlan> _plans = [];
    private readonly Lock _lock = new();

    /// <summary>Initializes a new instance.</summary>
    /// <param name="cluster">The cluster to write to.</param>
    public InMemoryApplier(InMemoryCluster cluster)
    {
        _cluster = cluster ?? throw new ArgumentNullException(nameof(cluster));
    }

    /// <summary>Gets the plans applied so far (dry-runs included).</summary>
    public IReadOnlyList<ApplyPlan> Plans
    {
        get
        {
            lock (_lock)
            {
                return [.. _plans];
            }
        }
    }

    /// <summary>Gets or sets a function that makes chosen objects fail to apply (returns the failure message), for tests of failure handling.</summary>
    public Func<ResourceKey, string?>? FailWhen { get; set; }

    /// <inheritdoc />
    public ValueTask<ApplyResult> ApplyAsync(ApplyPlan plan, ApplyOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        lock (_lock)
        {
            _plans.Add(plan);
        }

        var manager = options.FieldManager ?? WellKnown.FieldManager;
        var results = ImmutableArray.CreateBuilder<ObjectApplyResult>(plan.Steps.Length);
        foreach (var step in plan.Steps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (FailWhen?.Invoke(step.Key) is { } failure && step.Action is PlanAction.Apply or PlanAction.Delete or PlanAction.Recreate)
            {
                results.Add(new ObjectApplyResult(step.Key, ApplyOutcome.Failed, failure));
                continue;
            }

            switch (step.Action)
            {
                case PlanAction.Apply when step.Desired is { } desired:
                    var (outcome, obj, message) = _cluster.Apply(desired, manager, options.Force, options.DryRun);
                    results.Add(new ObjectApplyResult(step.Key, outcome, message) { Result = obj });
                    break;
                case PlanAction.Recreate when step.Desired is { } desired:
                    if (!options.DryRun)
                    {
                        _cluster.Delete(step.Key);
                    }

                    var (_, created, error) = _cluster.Apply(desired, manager, force: true, options.DryRun);
                    results.Add(new ObjectApplyResult(step.Key, error is null ? ApplyOutcome.Created : ApplyOutcome.Failed, error ?? "recreated") { Result = created });
                    break;
                case PlanAction.Delete:
                    var existed = options.DryRun ? _cluster.Find(step.Key) is not null : _cluster.Delete(step.Key);
                    results.Add(new ObjectApplyResult(step.Key, existed ? ApplyOutcome.Deleted : ApplyOutcome.Unchanged, existed ? null : "already gone"));
                    break;
                case PlanAction.Skip:
                    results.Add(new ObjectApplyResult(step.Key, ApplyOutcome.Skipped, step.Reason));
                    break;
                default:
                    results.Add(new ObjectApplyResult(step.Key, ApplyOutcome.Unchanged));
                    break;
            }
        }

        return ValueTask.FromResult(new ApplyResult { Objects = results.ToImmutable(), DryRun = options.DryRun });
    }
}
