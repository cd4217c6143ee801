namespace GitOps.Sdk.Kubernetes;

/// <summary>
/// The observable behind <see cref="ILiveState.Changes"/>: each change goes to every current subscriber in turn, on the
/// publishing thread. A few lines instead of System.Reactive's <c>Subject</c>, so the Kubernetes target does not bring
/// Rx into a host. Callers serialise <see cref="OnNext"/> and <see cref="OnCompleted"/> (the live state publishes under a lock).
/// </summary>
/// <typeparam name="T">The change type.</typeparam>
internal sealed class ChangeBroadcast<T> : IObservable<T>
{
    private readonly Lock _gate = new();
    private IObserver<T>[] _observers = [];
    private bool _completed;

    public IDisposable Subscribe(IObserver<T> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        lock (_gate)
        {
            if (!_completed)
            {
                _observers = [.. _observers, observer];
                return new Subscription(this, observer);
            }
        }

        observer.OnCompleted();
        return new Subscription(this, observer);
    }

    /// <summary>Sends <paramref name="value"/> to every subscriber; a subscriber's exception propagates to the caller.</summary>
    public void OnNext(T value)
    {
        foreach (var observer in Volatile.Read(ref _observers))
        {
            observer.OnNext(value);
        }
    }

    /// <summary>Tells every subscriber that no more changes come, and forgets them.</summary>
    public void OnCompleted()
    {
        IObserver<T>[] observers;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            observers = _observers;
            _observers = [];
        }

        foreach (var observer in observers)
        {
            observer.OnCompleted();
        }
    }

    private void Unsubscribe(IObserver<T> observer)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_observers, observer);
            if (index >= 0)
            {
                _observers = [.. _observers[..index], .. _observers[(index + 1)..]];
            }
        }
    }

    private sealed class Subscription(ChangeBroadcast<T> owner, IObserver<T> observer) : IDisposable
    {
        private ChangeBroadcast<T>? _owner = owner;

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Unsubscribe(observer);
    }
}
