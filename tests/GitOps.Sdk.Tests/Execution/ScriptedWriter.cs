using System.Collections.Concurrent;

namespace GitOps.Sdk.Tests.Execution;

/// <summary>A writer that records every call, answers as scripted, and can hold applies until a test releases them.</summary>
internal sealed class ScriptedWriter : IResourceWriter
{
    private readonly ConcurrentQueue<string> _calls = new();
    private readonly ConcurrentQueue<TaskCompletionSource> _held = new();
    private int _inFlight;
    private int _maxInFlight;

    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Gets or sets the answer to an apply; <see langword="null"/> answers created (no live object) or configured.</summary>
    public Func<ApplyRequest, WriteResult?> OnApply { get; set; } = _ => null;

    /// <summary>Gets or sets the answer to a delete; <see langword="null"/> answers deleted.</summary>
    public Func<DeleteRequest, WriteResult?> OnDelete { get; set; } = _ => null;

    /// <summary>Gets or sets the answer to a wait for a definition.</summary>
    public Func<KubeObject, Task<ReadinessResult>> OnWaitEstablished { get; set; } = _ => Task.FromResult(ReadinessResult.Ready);

    /// <summary>Gets or sets a value indicating whether applies wait until <see cref="ReleaseOne"/>.</summary>
    public bool HoldApplies { get; set; }

    /// <summary>Gets the calls in the order they arrived: <c>apply Kind/name</c>, <c>delete Kind/name</c>, <c>wait name</c>.</summary>
    public IReadOnlyList<string> Calls => [.. _calls];

    public List<ApplyRequest> Applies { get; } = [];

    public List<DeleteRequest> Deletes { get; } = [];

    public int InFlight => Volatile.Read(ref _inFlight);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int Held => _held.Count;

    public static string Name(ResourceKey key) => $"{key.Kind}/{key.Name}";

    public async ValueTask<WriteResult> ApplyAsync(ApplyRequest request, CancellationToken cancellationToken)
    {
        _calls.Enqueue($"apply {Name(request.Desired.Key)}");
        lock (Applies)
        {
            Applies.Add(request);
        }

        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }

        try
        {
            if (HoldApplies)
            {
                var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _held.Enqueue(release);
                await release.Task.WaitAsync(cancellationToken);
            }

            return OnApply(request) ?? WriteResult.Success(request.Live is null ? ApplyOutcome.Created : ApplyOutcome.Configured, request.Desired);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public ValueTask<WriteResult> DeleteAsync(DeleteRequest request, CancellationToken cancellationToken)
    {
        _calls.Enqueue($"delete {Name(request.Target.Key)}");
        lock (Deletes)
        {
            Deletes.Add(request);
        }

        return ValueTask.FromResult(OnDelete(request) ?? WriteResult.Success(ApplyOutcome.Deleted));
    }

    public async ValueTask<ReadinessResult> WaitEstablishedAsync(KubeObject definition, CancellationToken cancellationToken)
    {
        _calls.Enqueue($"wait {definition.Name}");
        return await OnWaitEstablished(definition);
    }

    /// <summary>Lets the oldest held apply finish.</summary>
    public void ReleaseOne()
    {
        if (_held.TryDequeue(out var release))
        {
            release.SetResult();
        }
    }
}
