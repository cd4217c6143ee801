using System.Collections.Immutable;
using Microsoft.Extensions.Primitives;

namespace GitOps.Sdk.Hosting;

/// <summary>
/// Follows every <see cref="IApplicationSource"/>: keeps each one's latest snapshot, re-reads it when its change token
/// fires, and decides which definition of each name runs (<see cref="Resolve"/>). Deciding here, in one place, keeps
/// the rules together: the source that runs a name keeps it, a name offered twice is refused from the later source,
/// and an invalid definition is refused while a running application keeps its previous one.
/// </summary>
internal sealed class ApplicationCatalog : IDisposable
{
    private readonly IApplicationSource[] _sources;
    private readonly ApplicationSnapshot[] _latest;
    private readonly IDisposable?[] _registrations;
    private readonly string?[] _errors;
    private readonly Lock _lock = new();
    private Action? _changed;
    private Dictionary<(string Name, string Source), string> _contested = [];
    private bool _disposed;

    public ApplicationCatalog(IEnumerable<IApplicationSource> sources)
    {
        _sources = [.. sources];
        _errors = new string?[_sources.Length];
        _latest = new ApplicationSnapshot[_sources.Length];
        for (var i = 0; i < _sources.Length; i++)
        {
            (_latest[i], _errors[i]) = Read(_sources[i], ApplicationSnapshot.Empty);
        }

        _registrations = new IDisposable?[_sources.Length];
    }

    /// <summary>Calls <paramref name="changed"/> (on the thread that fired a token) whenever a source has a new snapshot.</summary>
    public void Watch(Action changed)
    {
        lock (_lock)
        {
            _changed = changed;
        }

        for (var i = 0; i < _sources.Length; i++)
        {
            Register(i);
        }
    }

    /// <summary>
    /// Decides the applications to run from the latest snapshots, given the ones running now (name → source, definition).
    /// <paramref name="validate"/> returns what is wrong with a definition (empty when it may run). Calls are serialised
    /// by the caller: the refusals of a name to a source are remembered from one call to the next.
    /// </summary>
    public Resolution Resolve(IReadOnlyDictionary<string, (string Source, ApplicationDefinition Definition)> running, Func<ApplicationDefinition, IReadOnlyList<string>> validate)
    {
        ApplicationSnapshot[] latest;
        var sourceErrors = new List<(string Source, string Message)>();
        lock (_lock)
        {
            latest = [.. _latest];
            for (var i = 0; i < _errors.Length; i++)
            {
                if (_errors[i] is { } error)
                {
                    sourceErrors.Add((NameOf(_sources[i]), error));
                }
            }
        }

        // Every offer of every name, in source order then listing order.
        var offers = new List<Offer>();
        var byName = new Dictionary<string, List<Offer>>(StringComparer.Ordinal);
        for (var s = 0; s < latest.Length; s++)
        {
            var source = NameOf(_sources[s]);
            var problems = latest[s].Problems.ToLookup(static p => p.Application, static p => p.Message, StringComparer.Ordinal);
            var listed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var definition in latest[s].Applications)
            {
                if (definition is null)
                {
                    continue;
                }

                // A definition without a name (e.g. deserialised from a row without one) is refused like an empty name.
                var name = definition.Name ?? string.Empty;
                listed.Add(name);
                Add(new Offer(source, name, definition with { Name = name }, [.. problems[name]]));
            }

            // A problem for a name the source could not list at all still refuses (and keeps) that name.
            foreach (var group in problems.Where(g => !listed.Contains(g.Key)))
            {
                Add(new Offer(source, group.Key, null, [.. group]));
            }
        }

        var accepted = new List<Accepted>();
        var refused = new List<Refusal>();
        var contested = new Dictionary<(string Name, string Source), string>();
        foreach (var offer in offers)
        {
            var candidates = byName[offer.Name];
            running.TryGetValue(offer.Name, out var current);

            // The source that runs a name keeps it; otherwise the first registered one that was not refused for it before.
            var owner = current.Source is { } incumbent && candidates.Find(c => c.Source == incumbent) is { } kept
                ? kept
                : candidates.Find(c => !_contested.ContainsKey((c.Name, c.Source)));
            if (owner is null)
            {
                // The source that ran it dropped it: a name never moves to a source that was refused for it while the host
                // runs, since that source's first reconcile would prune what the other one applied (same name, same inventory).
                var previous = _contested[(offer.Name, offer.Source)];
                contested[(offer.Name, offer.Source)] = previous;
                refused.Add(new Refusal(offer.Source, offer.Name, [$"source '{previous}' provided an application named '{offer.Name}' when this source offered it too, and a name does not move between sources while the host runs: the first reconcile from here could prune what source '{previous}' applied. Remove it from source '{offer.Source}' and add it again (or restart the host) to run it from there"], previous, KeptPrevious: false));
                continue;
            }

            if (!ReferenceEquals(offer, owner) && owner.Source == offer.Source)
            {
                // Listed twice by one source: the later copy is refused; the name is not contested (no other source has it).
                refused.Add(new Refusal(offer.Source, offer.Name, [$"source '{offer.Source}' lists an application named '{offer.Name}' more than once; the first is used"], OtherSource: null, KeptPrevious: false));
                continue;
            }

            if (!ReferenceEquals(offer, owner))
            {
                contested[(offer.Name, offer.Source)] = owner.Source;
                refused.Add(new Refusal(offer.Source, offer.Name, [$"source '{owner.Source}' provides an application named '{offer.Name}' too and takes precedence (it runs it, or it is registered first); rename one of them"], owner.Source, KeptPrevious: false));
                continue;
            }

            var reasons = offer.Definition is null ? offer.Problems : [.. offer.Problems, .. validate(offer.Definition)];
            if (reasons.Length == 0)
            {
                accepted.Add(new Accepted(offer.Source, offer.Definition!));
                continue;
            }

            var keep = current.Definition is not null && current.Source == offer.Source;
            refused.Add(new Refusal(offer.Source, offer.Name, reasons, OtherSource: null, keep));
            if (keep)
            {
                accepted.Add(new Accepted(offer.Source, current.Definition!));
            }
        }

        // A refusal for a name lasts while the refused source keeps offering it.
        _contested = contested;
        return new Resolution([.. accepted], [.. refused], [.. sourceErrors]);

        void Add(Offer offer)
        {
            if (!byName.TryGetValue(offer.Name, out var list))
            {
                byName[offer.Name] = list = [];
            }

            list.Add(offer);
            offers.Add(offer);
        }
    }

    public void Dispose()
    {
        IDisposable?[] registrations;
        lock (_lock)
        {
            _disposed = true;
            _changed = null;
            registrations = [.. _registrations];
        }

        // Outside the lock: disposing a registration waits for its running callback, which may need the lock.
        foreach (var registration in registrations)
        {
            registration?.Dispose();
        }
    }

    private void Register(int index)
    {
        IChangeToken token;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _registrations[index]?.Dispose();
            token = _latest[index].ChangeToken;
        }

        // A token that has already fired calls back at once, on this thread.
        var registration = token.RegisterChangeCallback(static state => ((Callback)state!).Invoke(), new Callback(this, index));
        lock (_lock)
        {
            if (_disposed)
            {
                registration.Dispose();
                return;
            }

            _registrations[index] = registration;
        }
    }

    private void OnSourceChanged(int index)
    {
        ApplicationSnapshot previous;
        lock (_lock)
        {
            previous = _latest[index];
        }

        var (snapshot, error) = Read(_sources[index], previous);
        Action? changed;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _latest[index] = snapshot;
            _errors[index] = error;
            changed = _changed;
        }

        Register(index);
        changed?.Invoke();
    }

    /// <summary>
    /// Reads a source's snapshot. A source that throws (against its contract) keeps its previous applications running,
    /// unchanged, and is no longer followed; the error is reported with every resolution.
    /// </summary>
    private static (ApplicationSnapshot Snapshot, string? Error) Read(IApplicationSource source, ApplicationSnapshot previous)
    {
        try
        {
            return (source.GetSnapshot() ?? throw new InvalidOperationException("GetSnapshot returned null"), null);
        }
#pragma warning disable CA1031 // One broken source must not stop the others.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return (new ApplicationSnapshot(previous.Applications, ApplicationSnapshot.NeverChanges, previous.Problems), $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    internal static string NameOf(IApplicationSource source)
    {
        try
        {
            return string.IsNullOrWhiteSpace(source.Name) ? source.GetType().Name : source.Name;
        }
#pragma warning disable CA1031 // A name is for messages only.
        catch (Exception)
#pragma warning restore CA1031
        {
            return source.GetType().Name;
        }
    }

    private sealed record Offer(string Source, string Name, ApplicationDefinition? Definition, ImmutableArray<string> Problems);

    private sealed record Callback(ApplicationCatalog Catalog, int Index)
    {
        public void Invoke() => Catalog.OnSourceChanged(Index);
    }

    /// <summary>A definition that runs, and the source it comes from.</summary>
    internal sealed record Accepted(string Source, ApplicationDefinition Definition);

    /// <summary>
    /// A definition that does not run: why, the other source that keeps the name (for a duplicate), and whether a
    /// running application of that name keeps its previous definition.
    /// </summary>
    internal sealed record Refusal(string Source, string Application, ImmutableArray<string> Reasons, string? OtherSource, bool KeptPrevious);

    /// <summary>The decision: what runs, what is refused, and sources that failed to give a snapshot.</summary>
    internal sealed record Resolution(ImmutableArray<Accepted> Accepted, ImmutableArray<Refusal> Refused, ImmutableArray<(string Source, string Message)> SourceErrors);
}
