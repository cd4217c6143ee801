namespace GitOps.Sdk.Manifests;

/// <summary>
/// Limits and checks of a <see cref="ManifestReader"/>. The defaults accept every realistic manifest (a large CRD is
/// well under 1 MiB) while refusing hostile input with bounded memory and time.
/// </summary>
public sealed record ManifestReaderOptions
{
    /// <summary>Gets the options used when none are given.</summary>
    public static ManifestReaderOptions Default { get; } = new();

    /// <summary>
    /// Gets the largest YAML document, in characters of its text (equal to bytes for ASCII text).
    /// <value>Default: 4 MiB (4,194,304).</value>
    /// </summary>
    public int MaxDocumentBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Gets the largest stream (a whole file or <see cref="ManifestReader.Read"/> input), in UTF-8 bytes.
    /// <value>Default: 64 MiB (67,108,864).</value>
    /// </summary>
    public long MaxStreamBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Gets the deepest nesting of mappings and sequences in one document, counting the document's root mapping as 1 and
    /// counting what aliases expand to. Must be between 1 and 200. <value>Default: 100.</value>
    /// </summary>
    public int MaxDepth { get; init; } = 100;

    /// <summary>
    /// Gets the largest number of nodes (mappings, sequences and scalars) one document may hold <em>after</em> aliases are
    /// expanded: the guard against alias expansion bombs ("billion laughs"), which is checked without expanding anything.
    /// <value>Default: 1,000,000.</value>
    /// </summary>
    public long MaxNodes { get; init; } = 1_000_000;

    /// <summary>
    /// Gets the largest size, in characters of scalar text and keys, that one document may reach after aliases are
    /// expanded (a large string aliased many times is refused even when the node count is small).
    /// <value>Default: 16 MiB (16,777,216).</value>
    /// </summary>
    public long MaxExpandedDocumentBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>
    /// Gets a value indicating whether every object must have a non-empty <c>metadata.name</c>.
    /// <value>Default: <see langword="true"/>.</value>
    /// </summary>
    public bool RequireName { get; init; } = true;

    /// <summary>
    /// Gets a value indicating whether <c>metadata.name</c> and <c>metadata.namespace</c> are checked against the rules the
    /// API server applies (see <see cref="ManifestReader"/>). <value>Default: <see langword="true"/>.</value>
    /// </summary>
    public bool ValidateNames { get; init; } = true;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDocumentBytes, 1, nameof(MaxDocumentBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxStreamBytes, 1, nameof(MaxStreamBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDepth, 1, nameof(MaxDepth));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxDepth, 200, nameof(MaxDepth));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxNodes, 1, nameof(MaxNodes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxExpandedDocumentBytes, 1, nameof(MaxExpandedDocumentBytes));
    }
}
