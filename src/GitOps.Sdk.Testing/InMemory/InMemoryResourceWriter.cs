namespace GitOps.Sdk.Testing.InMemory;

/// <summary>
/// Writes single objects to an <see cref="InMemoryCluster"/> for the engine's plan executor: server-side-apply
/// semantics for applies (see <see cref="InMemoryCluster.Apply"/>), delete for deletes; dry-run stores nothing.
/// Definitions are established at once. Records every write it was asked for (dry-runs included), for assertions.
/// </summary>
/// <example>
/// <code>
/// var cluster = new InMemoryCluster();
/// var writer = new InMemoryResourceWriter(cluster) { FailWhen = key =&gt; key.Name == "b" ? "admission webhook denied the request" : null };
/// services.AddSingleton&lt;ILiveState&gt;(cluster).AddSingleton&lt;IResourceWriter&gt;(writer);
/// </code>
/// </example>
public sealed class InMemoryResourceWriter : IResourceWriter
{
    private readonly InMemoryCluster _cluster;
    private readonly List<InMemoryWrite> _writes = [];
    private readonly Lock _lock = new();

    /// <summary>Initializes a new instance.</summary>
    /// <param name="cluster">The cluster to write to.</param>
    public InMemoryResourceWriter(InMemoryCluster cluster)
    {
        _cluster = cluster ?? throw new ArgumentNullException(nameof(cluster));
    }

    /// <summary>Gets or sets how many writes the executor runs at once. <value>Default: 4.</value></summary>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Gets the writes asked for so far (dry-runs included), in the order they were asked.</summary>
    public IReadOnlyList<InMemoryWrite> Writes
    {
        get
        {
            lock (_lock)
            {
                return [.. _writes];
            }
        }
    }

    /// <summary>Gets or sets a function that makes chosen objects fail to write (returns the failure message), for tests of failure handling.</summary>
    public Func<ResourceKey, string?>? FailWhen { get; set; }

    /// <inheritdoc />
    public ValueTask<WriteResult> ApplyAsync(ApplyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var desired = request.Desired;
        Record(new InMemoryWrite(InMemoryWriteKind.Apply, desired.Key, request.DryRun));
        if (FailWhen?.Invoke(desired.Key) is { } failure)
        {
            return ValueTask.FromResult(WriteResult.Failed(failure));
        }

        var (outcome, obj, message) = _cluster.Apply(desired, request.FieldManager ?? WellKnown.FieldManager, request.Force, request.DryRun);
        var result = outcome == ApplyOutcome.Failed
            ? WriteResult.Failed(message ?? "apply failed", WriteFailure.Conflict)
            : WriteResult.Success(outcome, obj, message);
        return ValueTask.FromResult(result);
    }

    /// <inheritdoc />
    public ValueTask<WriteResult> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var key = request.Target.Key;
        Record(new InMemoryWrite(InMemoryWriteKind.Delete, key, request.DryRun));
        if (FailWhen?.Invoke(key) is { } failure)
        {
            return ValueTask.FromResult(WriteResult.Failed(failure));
        }

        var existed = request.DryRun ? _cluster.Find(key) is not null : _cluster.Delete(key);
        return ValueTask.FromResult(existed ? WriteResult.Success(ApplyOutcome.Deleted) : WriteResult.Success(ApplyOutcome.Unchanged, message: "already gone"));
    }

    /// <inheritdoc />
    public ValueTask<ReadinessResult> WaitEstablishedAsync(KubeObject definition, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ReadinessResult.Ready);

    private void Record(InMemoryWrite write)
    {
        lock (_lock)
        {
            _writes.Add(write);
        }
    }
}

/// <summary>One write an <see cref="InMemoryResourceWriter"/> was asked for.</summary>
/// <param name="Kind">Apply or delete.</param>
/// <param name="Key">The object.</param>
/// <param name="DryRun">Whether it was a dry-run.</param>
public sealed record InMemoryWrite(InMemoryWriteKind Kind, ResourceKey Key, bool DryRun);

/// <summary>What an <see cref="InMemoryWrite"/> did.</summary>
public enum InMemoryWriteKind
{
    /// <summary>An apply.</summary>
    Apply,

    /// <summary>A delete.</summary>
    Delete,
}
