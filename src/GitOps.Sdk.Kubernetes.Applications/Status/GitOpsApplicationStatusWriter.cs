using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using GitOps.Sdk.Events;
using GitOps.Sdk.Hosting;
using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Kubernetes.Applications;

/// <summary>
/// Writes each <c>GitOpsApplication</c>'s status subresource (server-side apply, its own field manager) whenever what
/// <see cref="GitOpsApplicationStatus"/> computes differs from what the resource shows: after engine events and after
/// the resources change. Events that arrive while it writes are handled in one further pass (coalesced); a status equal
/// to the live one (or to the one just written) is not written again.
/// </summary>
internal sealed class GitOpsApplicationStatusWriter : IObserver<ReconcileEvent>
{
    private readonly GitOpsApplicationSource _source;
    private readonly IGitOpsController _controller;
    private readonly KubernetesResourceWriter _writer;
    private readonly GitOpsApplicationSourceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly ConcurrentDictionary<string, ApplicationRefused> _refusals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _written = new(StringComparer.Ordinal);

    public GitOpsApplicationStatusWriter(GitOpsApplicationSource source, IGitOpsController controller, KubernetesResourceWriter writer, GitOpsApplicationSourceOptions options, TimeProvider time, ILogger<GitOpsApplicationStatusWriter> logger)
    {
        _source = source;
        _controller = controller;
        _writer = writer;
        _options = options;
        _time = time;
        _logger = logger;
    }

    private long _eventsSeen;
    private long _eventsHandled;
    private long _readsHandled;

    /// <summary>Gets how many status writes succeeded; for tests.</summary>
    public int Writes { get; private set; }

    /// <summary>Gets how many engine events the writer received; for tests.</summary>
    public long EventsSeen => Interlocked.Read(ref _eventsSeen);

    /// <summary>Gets how many of <see cref="EventsSeen"/> a finished pass had seen when it started; for tests.</summary>
    public long EventsHandled => Interlocked.Read(ref _eventsHandled);

    /// <summary>Gets how many reads of the resources (<see cref="GitOpsApplicationSource.Reads"/>) a finished pass had seen when it started; for tests.</summary>
    public long ReadsHandled => Interlocked.Read(ref _readsHandled);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var subscription = _controller.Events.Subscribe(this);
        _source.EntriesChanged += Signal;
        try
        {
            Signal();
            while (!stoppingToken.IsCancellationRequested)
            {
                await _signal.WaitAsync(stoppingToken).ConfigureAwait(false);
                var seen = EventsSeen;
                var reads = _source.Reads;
                await WriteAllAsync(stoppingToken).ConfigureAwait(false);
                Interlocked.Exchange(ref _eventsHandled, seen);
                Interlocked.Exchange(ref _readsHandled, reads);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            _source.EntriesChanged -= Signal;
        }
    }

    public void OnNext(ReconcileEvent value)
    {
        switch (value)
        {
            case ApplicationRefused refused when refused.Source == GitOpsApplicationSource.SourceName:
                _refusals[refused.Application] = refused;
                break;
            case ApplicationAdded added when added.Source == GitOpsApplicationSource.SourceName:
                _refusals.TryRemove(added.Application, out _);
                break;
            case ApplicationChanged changed when changed.Source == GitOpsApplicationSource.SourceName:
                _refusals.TryRemove(changed.Application, out _);
                break;
        }

        Interlocked.Increment(ref _eventsSeen);
        Signal();
    }

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    private void Signal()
    {
        // One pending pass is enough: it reads everything as it is then.
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another caller released it first.
            }
        }
    }

    private async Task WriteAllAsync(CancellationToken cancellationToken)
    {
        var entries = _source.Entries;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            seen.Add(entry.Uid);
            var desired = GitOpsApplicationStatus.Project(entry, ViewOf(entry), _time.GetUtcNow());
            if (GitOpsApplicationStatus.Same(desired, entry.LiveStatus)
                || (_written.TryGetValue(entry.Uid, out var last) && JsonNode.DeepEquals(last, desired)))
            {
                continue;
            }

            var body = new JsonObject
            {
                ["apiVersion"] = GitOpsApplicationResource.ApiVersion,
                ["kind"] = GitOpsApplicationResource.Kind,
                ["metadata"] = new JsonObject { ["name"] = entry.Name, ["namespace"] = entry.Namespace },
                ["status"] = desired.DeepClone(),
            };
            var result = await _writer.ApplyStatusAsync(KubeObject.FromNode(body), _options.FieldManager, cancellationToken).ConfigureAwait(false);
            if (result.Outcome == ApplyOutcome.Failed)
            {
                // The next event or change of the resource tries again.
                Log.StatusWriteFailed(_logger, entry.Id, result.Message ?? "unknown");
                continue;
            }

            _written[entry.Uid] = desired;
            Writes++;
            Log.StatusWritten(_logger, entry.Id, entry.Generation, (string?)desired["conditions"]?[0]?["status"] ?? "Unknown");
        }

        foreach (var gone in _written.Keys.Where(k => !seen.Contains(k)).ToArray())
        {
            _written.Remove(gone);
        }
    }

    /// <summary>What the engine runs for the resource's name, and whether it runs the resource's own definition.</summary>
    private GitOpsApplicationStatus.EngineView ViewOf(ResourceEntry entry)
    {
        var refusal = _refusals.TryGetValue(entry.Name, out var refused) ? refused : null;
        var running = _controller.GetDefinition(entry.Name);
        if (entry.Definition is not null)
        {
            // Its own definition runs: the engine's status is the resource's. Otherwise it is not picked up yet, or
            // another source runs the name (the refusal says so).
            return running is not null && running == entry.Definition
                ? new(_controller.GetStatus(entry.Name), [])
                : new(null, refusal?.Reasons ?? []);
        }

        // A spec with problems: the previous definition of this resource keeps running, unless another source has the name.
        return running is not null && refusal?.OtherSource is null
            ? new(_controller.GetStatus(entry.Name), [])
            : new(null, refusal?.Reasons ?? []);
    }
}
