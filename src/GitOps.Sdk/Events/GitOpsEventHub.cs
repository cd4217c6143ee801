using System.Reactive.Subjects;
using GitOps.Sdk.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Sdk.Events;

/// <summary>Publishes reconcile events to subscribers; a throwing subscriber is logged and does not disturb reconciling.</summary>
internal sealed class GitOpsEventHub : IDisposable
{
    private readonly Subject<ReconcileEvent> _subject = new();
    private readonly IObservable<ReconcileEvent> _observable;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();

    public GitOpsEventHub(ILoggerFactory? loggerFactory = null)
    {
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("GitOps.Sdk.Events");
        _observable = System.Reactive.Linq.Observable.AsObservable(_subject);
    }

    public IObservable<ReconcileEvent> Events => _observable;

    public void Publish(ReconcileEvent e)
    {
        lock (_lock)
        {
            try
            {
                _subject.OnNext(e);
            }
#pragma warning disable CA1031 // A subscriber's bug must not stop the engine.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.SubscriberFailed(_logger, ex);
            }
        }
    }

    public void Dispose()
    {
        _subject.OnCompleted();
        _subject.Dispose();
    }
}
