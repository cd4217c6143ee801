using System.Collections.Immutable;

namespace GitOps.Sdk;

/// <summary>
/// Decides what is drift between a desired and a live object. A pure function of its inputs: no I/O, no clock.
/// </summary>
/// <example>
/// <code>
/// ResourceDiff diff = engine.Diff(desired, live, lastApplied: null, DiffOptions.Default);
/// if (diff.Action == DiffAction.Update)
/// {
///     foreach (var change in diff.Changes)
///     {
///         Console.WriteLine(change); // spec.replicas: live 5 → desired 2 (live value by kubectl-scale)
///     }
/// }
/// </code>
/// </example>
public interface IDiffEngine
{
    /// <summary>Compares one object.</summary>
    /// <param name="desired">The desired object, or <see langword="null"/> when it is no longer desired (a prune candidate).</param>
    /// <param name="live">The live object, or <see langword="null"/> when it does not exist.</param>
    /// <param name="lastApplied">What this application applied last time, for three-way comparison; <see langword="null"/> to use live <c>managedFields</c> of <see cref="DiffOptions.FieldManager"/>.</param>
    /// <param name="options">Ignore rules and settings.</param>
    /// <returns>The action and the field changes.</returns>
    ResourceDiff Diff(KubeObject? desired, KubeObject? live, KubeObject? lastApplied, DiffOptions options);

    /// <summary>Returns a unified, colourless text diff of the normalized objects (YAML), like <c>kubectl diff</c>. Secret values are masked.</summary>
    /// <param name="diff">A result of <see cref="Diff"/>.</param>
    /// <param name="contextLines">Lines of context around each change. <value>Default: 3.</value></param>
    /// <returns>The text diff; empty when nothing changed.</returns>
    string FormatUnified(ResourceDiff diff, int contextLines = 3);
}

/// <summary>What must happen to one object.</summary>
public enum DiffAction
{
    /// <summary>Desired and live agree.</summary>
    Unchanged,

    /// <summary>Desired exists, live does not.</summary>
    Create,

    /// <summary>Both exist and differ in a field desired state sets (or used to set).</summary>
    Update,

    /// <summary>Live exists, desired no longer declares it.</summary>
    Prune,
}

/// <summary>The comparison of one object.</summary>
public sealed record ResourceDiff
{
    /// <summary>Gets the object's identity.</summary>
    public required ResourceKey Key { get; init; }

    /// <summary>Gets what must happen.</summary>
    public required DiffAction Action { get; init; }

    /// <summary>Gets the field-level changes (empty for <see cref="DiffAction.Unchanged"/>; one change at <c>/</c> for create and prune).</summary>
    public ImmutableArray<FieldChange> Changes { get; init; } = [];

    /// <summary>Gets the normalized desired object, with Secret values masked: for display only, never for applying.</summary>
    public KubeObject? NormalizedDesired { get; init; }

    /// <summary>Gets the normalized live object, with Secret values masked: for display only, never for applying.</summary>
    public KubeObject? NormalizedLive { get; init; }

    /// <summary>Gets a value indicating whether anything must change.</summary>
    public bool HasDrift => Action != DiffAction.Unchanged;
}

/// <summary>One differing field.</summary>
/// <param name="Path">A JSON pointer into the desired object (list indexes are positions in desired; <c>/</c> in a key is <c>~1</c>); <c>/</c> for the whole object.</param>
/// <param name="Kind">How the field differs.</param>
/// <param name="DesiredValue">The desired value as JSON text (<c>***</c> for Secret data), or <see langword="null"/> when absent.</param>
/// <param name="LiveValue">The live value as JSON text (<c>***</c> for Secret data), or <see langword="null"/> when absent.</param>
public sealed record FieldChange(string Path, FieldChangeKind Kind, string? DesiredValue, string? LiveValue)
{
    /// <summary>Gets who last wrote the live value, from live <c>managedFields</c>, when known.</summary>
    public FieldAttribution? Attribution { get; init; }

    /// <summary>
    /// Gets the path as people read it: <c>spec.replicas</c>, <c>spec.template.spec.containers[0].image</c>,
    /// <c>metadata.labels["app.kubernetes.io/name"]</c>; <c>object</c> for the whole object.
    /// </summary>
    public string DisplayPath => FormatPath(Path);

    /// <summary>
    /// Returns the one drift notation every part of the SDK prints — live first, then desired, then who wrote the live
    /// value: <c>spec.replicas: live 5 → desired 2 (live value by kubectl-scale)</c>. A missing value reads
    /// <c>absent</c>; the whole object (path <c>/</c>) reads <c>present</c> instead of its manifest.
    /// </summary>
    /// <returns>The text form.</returns>
    public override string ToString()
    {
        var whole = Path == "/";
        var live = LiveValue is null ? "absent" : whole ? "present" : LiveValue;
        var desired = DesiredValue is null ? "absent" : whole ? "present" : DesiredValue;
        var by = Attribution is { } a && LiveValue is not null
            ? $" (live value by {a.Manager}{(a.Subresource is null ? string.Empty : $" via {a.Subresource}")})"
            : string.Empty;
        return $"{DisplayPath}: live {live} → desired {desired}{by}";
    }

    /// <summary>Formats a JSON pointer as a dotted path (see <see cref="DisplayPath"/>).</summary>
    /// <param name="pointer">A JSON pointer such as <c>/spec/replicas</c>.</param>
    /// <returns>The dotted path, or <c>object</c> for <c>/</c> or an empty pointer.</returns>
    public static string FormatPath(string pointer)
    {
        ArgumentNullException.ThrowIfNull(pointer);
        if (pointer.Length == 0 || pointer == "/")
        {
            return "object";
        }

        var text = new System.Text.StringBuilder();
        foreach (var raw in pointer.TrimStart('/').Split('/'))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (segment.Length > 0 && segment.All(char.IsAsciiDigit))
            {
                text.Append('[').Append(segment).Append(']');
            }
            else if (segment.Length == 0 || segment.Any(static c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '$')))
            {
                text.Append("[\"").Append(segment.Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\"]");
            }
            else
            {
                text.Append(text.Length == 0 ? string.Empty : ".").Append(segment);
            }
        }

        return text.ToString();
    }
}

/// <summary>How a field differs.</summary>
public enum FieldChangeKind
{
    /// <summary>Desired sets the field, live lacks it.</summary>
    Added,

    /// <summary>Live has a field that the previous apply set and desired no longer sets (or the whole object must go).</summary>
    Removed,

    /// <summary>Both have the field with different values.</summary>
    Changed,
}

/// <summary>Which field manager last owned a field, from <c>metadata.managedFields</c>.</summary>
/// <param name="Manager">The field manager, e.g. <c>kubectl</c>, <c>kube-controller-manager</c>.</param>
/// <param name="Operation">The operation, <c>Apply</c> or <c>Update</c>.</param>
/// <param name="Time">When the manager last wrote, when recorded.</param>
/// <param name="Subresource">The subresource written through (e.g. <c>scale</c>), when any.</param>
public sealed record FieldAttribution(string Manager, string Operation, DateTimeOffset? Time, string? Subresource = null)
{
    /// <summary>Returns e.g. <c>kubectl (Update via scale) at 2026-11-27T10:42:00Z</c>.</summary>
    /// <returns>The text form.</returns>
    public override string ToString()
    {
        var via = Subresource is null ? Operation : $"{Operation} via {Subresource}";
        return Time is { } t ? $"{Manager} ({via}) at {t.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}" : $"{Manager} ({via})";
    }
}

/// <summary>Settings of a diff: field manager, ignore rules, normalization.</summary>
public sealed record DiffOptions
{
    /// <summary>Gets the default options.</summary>
    public static DiffOptions Default { get; } = new();

    /// <summary>Gets the field manager this engine applies with; its <c>managedFields</c> entry is the last-applied state. <value>Default: <c>gitops-sdk</c>.</value></summary>
    public string FieldManager { get; init; } = "gitops-sdk";

    /// <summary>Gets the rules that exclude fields from comparison.</summary>
    public ImmutableArray<IgnoreRule> IgnoreRules { get; init; } = [];
}

/// <summary>
/// Excludes fields from drift. Selects objects by group, kind, namespace and name (each <see langword="null"/> for any,
/// <c>*</c> wildcards allowed, or a regular expression written <c>/…/</c>), then ignores either JSON pointers
/// (with <c>*</c> segments) or every field owned by the named field managers.
/// </summary>
/// <example>
/// <code>
/// new IgnoreRule { Group = "apps", Kind = "Deployment", JsonPointers = ["/spec/replicas"] };
/// new IgnoreRule { ManagedFieldsManagers = ["kube-controller-manager", "hpa-controller"] };
/// new IgnoreRule { Kind = "MutatingWebhookConfiguration", JsonPointers = ["/webhooks/*/clientConfig/caBundle"] };
/// </code>
/// </example>
public sealed record IgnoreRule
{
    /// <summary>Gets the group pattern, or <see langword="null"/> for any.</summary>
    public string? Group { get; init; }

    /// <summary>Gets the kind pattern, or <see langword="null"/> for any.</summary>
    public string? Kind { get; init; }

    /// <summary>Gets the namespace pattern, or <see langword="null"/> for any.</summary>
    public string? Namespace { get; init; }

    /// <summary>Gets the name pattern, or <see langword="null"/> for any.</summary>
    public string? Name { get; init; }

    /// <summary>Gets JSON pointers to ignore; a segment <c>*</c> matches any key or index; a pointer ignores its whole subtree.</summary>
    public ImmutableArray<string> JsonPointers { get; init; } = [];

    /// <summary>Gets field managers whose owned fields are ignored (e.g. an autoscaler owning <c>/spec/replicas</c>).</summary>
    public ImmutableArray<string> ManagedFieldsManagers { get; init; } = [];
}
