using System.Collections;

namespace GitOps.Sdk.Diagnostics;

/// <summary>
/// The logging scope of one reconcile: every line logged while it runs (by the engine, the target, the renderers)
/// carries the application and what triggered the run as named properties, so structured loggers can filter on them.
/// </summary>
/// <param name="Application">The application.</param>
/// <param name="Trigger">What started the run (<c>Interval</c>, <c>LiveChange</c>, <c>Manual</c>, …).</param>
internal readonly record struct ReconcileLogScope(string Application, string Trigger) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 2;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("Application", Application),
        1 => new("Trigger", Trigger),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
        yield return this[1];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Returns e.g. <c>Application:web Trigger:Interval</c> (what text loggers print for the scope).</summary>
    /// <returns>The text form.</returns>
    public override string ToString() => $"Application:{Application} Trigger:{Trigger}";
}

/// <summary>The logging scope of the revision a reconcile works on, begun once the source stage has resolved it.</summary>
/// <param name="Revision">The revision, e.g. <c>main@sha1:…</c>.</param>
internal readonly record struct RevisionLogScope(string Revision) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 1;

    public KeyValuePair<string, object?> this[int index] =>
        index == 0 ? new("Revision", Revision) : throw new ArgumentOutOfRangeException(nameof(index));

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Returns e.g. <c>Revision:main@sha1:…</c>.</summary>
    /// <returns>The text form.</returns>
    public override string ToString() => $"Revision:{Revision}";
}
