using System.Collections.Immutable;
using GitOps.Sdk.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// Combines every <see cref="IApplicationSource"/> into the current application set. Each source's last accepted
/// snapshot is kept; when a source's change token fires its new snapshot is validated whole (every application's
/// settings, names unique within it and across sources) and either replaces the old one or is refused with an error
/// naming the source, the application and the problem.
/// </summary>
internal sealed class ApplicationCatalog : IDisposable
{
    private readonly Lock _gate = new();
    private readonly IApplicationSource[] _sources;
    private readonly ApplicationSnapshot[] _accepted;
    private readonly IDisposable?[] _registrations;
    private readonly HashSet<int> _dirty = [];
    private readonly ILogger _logger;
    private ImmutableArray<(ApplicationDefinition Definition, string Source)> _current;
    private Action<ImmutableArray<(ApplicationDefinition Definition, string Source)>>? _listener;
    private bool _processing;
    private bool _disposed;
    private int _refusals;

    /// <summary>Reads every source once; a problem in any of them fails start-up with every problem listed.</summary>
    /// <exception cref="OptionsValidationException">A source's applications are invalid or a name is defined twice.</exception>
    public ApplicationCatalog(IEnumerable<IApplicationSource> sources, ILoggerFactory? loggerFactory = null)
    {
        _sources = [.. sources];
        _accepted = new ApplicationSnapshot[_sources.Length];
        _registrations = new IDisposable?[_sources.Length];
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("GitOps.Sdk.Applications");
        var failures = new List<string>();
        for (var i = 0; i < _sources.Length; i++)
        {
            var snapshot = _sources[i].GetSnapshot();
            _accepted[i] = new ApplicationSnapshot();
            failures.AddRange(Validate(i, snapshot, upTo: i));
            _accepted[i] = snapshot;
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(GitOpsOptions), failures);
        }

        _current = Merge();
        for (var i = 0; i < _sources.Length; i++)
        {
            Register(i, _accepted[i]);
        }
    }

    /// <summary>Gets the current applications with the name of the source of each, in source then definition order.</summary>
    public ImmutableArray<(ApplicationDefinition Definition, string Source)> Current => _current;

    /// <summary>Gets how many snapshots were refused so far (a deterministic signal for tests).</summary>
    internal int Refusals => Volatile.Read(ref _refusals);

    /// <summary>Sets the one listener told of every accepted change, while the catalog's lock is held (changes arrive in order).</summary>
    public void Subscribe(Action<ImmutableArray<(ApplicationDefinition Definition, string Source)>> listener)
    {
        lock (_gate)
        {
            _listener = listener;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var r in _registrations)
            {
                r?.Dispose();
            }
        }
    }

    private void Register(int index, ApplicationSnapshot snapshot)
    {
        _registrations[index]?.Dispose();
        _registrations[index] = null;
        _registrations[index] = snapshot.ChangeToken.RegisterChangeCallback(static state =>
        {
            var (catalog, i) = ((ApplicationCatalog, int))state!;
            catalog.OnChanged(i);
        }, (this, index));
    }

    private void OnChanged(int index)
    {
        lock (_gate)
        {
            _dirty.Add(index);

            // A token that has already fired calls back inside Register: the loop below picks the index up.
            if (_processing || _disposed)
            {
                return;
            }

            _processing = true;
            try
            {
                while (_dirty.Count > 0)
                {
                    var i = _dirty.First();
                    _dirty.Remove(i);
                    Reload(i);
                }
            }
            finally
            {
                _processing = false;
            }
        }
    }

    private void Reload(int index)
    {
        var source = _sources[index];
        ApplicationSnapshot next;
        try
        {
            next = source.GetSnapshot();
        }
#pragma warning disable CA1031 // A broken source must not take the running applications down: its last good snapshot stays.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _refusals);
            Log.ApplicationSourceFailed(_logger, ex, source.Name);
            return;
        }

        // Listen to the new token even when the snapshot is refused, so that a fix is noticed.
        Register(index, next);
        var failures = Validate(index, next, upTo: _sources.Length);
        if (failures.Count > 0)
        {
            Interlocked.Increment(ref _refusals);
            foreach (var f in failures)
            {
                Log.ApplicationSourceRefused(_logger, source.Name, f);
            }

            return;
        }

        _accepted[index] = next;
        _current = Merge();
        _listener?.Invoke(_current);
    }

    /// <summary>Checks <paramref name="snapshot"/> of source <paramref name="index"/> against the accepted snapshots of sources below <paramref name="upTo"/>.</summary>
    private List<string> Validate(int index, ApplicationSnapshot snapshot, int upTo)
    {
        var name = _sources[index].Name;
        var failures = new List<string>(snapshot.Errors.IsDefault ? [] : snapshot.Errors);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var apps = snapshot.Applications.IsDefault ? [] : snapshot.Applications;
        for (var i = 0; i < apps.Length; i++)
        {
            var app = apps[i];
            if (app is null)
            {
                failures.Add($"GitOps application #{i} of source '{name}': is null.");
                continue;
            }

            var label = string.IsNullOrEmpty(app.Name) ? $"#{i}" : $"'{app.Name}'";
            GitOpsOptionsValidator.ValidateName(app, label, failures);
            if (!string.IsNullOrEmpty(app.Name) && !seen.Add(app.Name))
            {
                failures.Add($"GitOps application {label}: Name is used by more than one application of source '{name}'.");
            }

            GitOpsOptionsValidator.ValidateApplication(app, label, failures);
        }

        for (var other = 0; other < upTo; other++)
        {
            if (other == index)
            {
                continue;
            }

            foreach (var app in _accepted[other].Applications.IsDefault ? [] : _accepted[other].Applications)
            {
                if (app is not null && seen.Contains(app.Name))
                {
                    failures.Add($"GitOps application '{app.Name}': defined by application sources '{_sources[other].Name}' and '{name}'; names must be unique across sources.");
                }
            }
        }

        return failures;
    }

    private ImmutableArray<(ApplicationDefinition Definition, string Source)> Merge() =>
        [.. _accepted.SelectMany((s, i) => (s.Applications.IsDefault ? [] : s.Applications).Select(a => (a, _sources[i].Name)))];
}
