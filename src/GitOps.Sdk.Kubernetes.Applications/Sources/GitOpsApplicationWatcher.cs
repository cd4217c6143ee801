using Microsoft.Extensions.Logging;

namespace GitOps.Sdk.Kubernetes.Applications;

/// <summary>
/// Keeps <see cref="GitOpsApplicationSource"/> current: watches the resources through the Kubernetes target's live
/// state (its list+watch cache resumes from the last resourceVersion, lists again on <c>410 Gone</c> and reconnects with
/// backoff) and, after every change, reads them all from the cache and publishes them. Until the
/// CustomResourceDefinition is served it tries again with backoff.
/// </summary>
internal sealed class GitOpsApplicationWatcher : IObserver<LiveChange>
{
    private readonly GitOpsApplicationSource _source;
    private readonly KubernetesLiveState _liveState;
    private readonly GitOpsApplicationSourceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _signal = new(0, 1);

    public GitOpsApplicationWatcher(GitOpsApplicationSource source, KubernetesLiveState liveState, GitOpsApplicationSourceOptions options, TimeProvider time, ILogger<GitOpsApplicationWatcher> logger)
    {
        _source = source;
        _liveState = liveState;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        // Subscribed before the first list, so that no change between the list and the first read is lost.
        using var subscription = _liveState.Changes.Subscribe(this);
        try
        {
            await StartWatchAsync(stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                _source.Publish(_liveState.List(GitOpsApplicationResource.GroupKind, _options.Namespace));
                await _signal.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public void OnNext(LiveChange value)
    {
        if (value.Key.Group == GitOpsApplicationResource.Group && value.Key.Kind == GitOpsApplicationResource.Kind
            && (_options.Namespace is null || value.Key.Namespace == _options.Namespace))
        {
            Signal();
        }
    }

    public void OnError(Exception error)
    {
    }

    public void OnCompleted()
    {
    }

    private void Signal()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another change released it first.
            }
        }
    }

    private async Task StartWatchAsync(CancellationToken stoppingToken)
    {
        var scope = _options.Namespace is null ? "every namespace" : $"namespace {_options.Namespace}";
        var delay = TimeSpan.FromMilliseconds(200);
        var failures = 0;
        while (true)
        {
            try
            {
                await _liveState.WatchAsync(GitOpsApplicationResource.GroupKind, GitOpsApplicationResource.ApiVersion, _options.Namespace, stoppingToken).ConfigureAwait(false);
                Log.Watching(_logger, scope);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Most often the CustomResourceDefinition is not installed yet; said once, then at debug level.
                failures++;
                if (failures == 1)
                {
                    Log.NotServed(_logger, GitOpsApplicationResource.CrdName, ex.Message);
                }
                else
                {
                    Log.StillNotServed(_logger, GitOpsApplicationResource.CrdName, ex.Message, failures);
                }

                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 30_000));
            }
        }
    }
}
