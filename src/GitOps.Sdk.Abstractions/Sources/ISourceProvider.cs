namespace GitOps.Sdk;

/// <summary>
/// Fetches desired state from a versioned source. Implementations are registered with
/// <c>TryAddEnumerable</c>; the engine picks the first whose <see cref="CanHandle"/> answers <see langword="true"/>.
/// </summary>
/// <remarks>
/// Failures a user can cause (unreachable host, authentication refused, missing ref or path) are reported by
/// throwing <see cref="SourceException"/> with a message that names the source (credentials removed);
/// the reconciler turns it into a failed result and keeps the previous good state.
/// </remarks>
/// <example>
/// <code>
/// public sealed class TarballSource : ISourceProvider
/// {
///     public bool CanHandle(SourceReference source) => source.Url.EndsWith(".tar.gz", StringComparison.Ordinal);
///     public ValueTask&lt;SourceRevision&gt; ResolveAsync(SourceReference source, CancellationToken cancellationToken) =&gt; …;
///     public ValueTask&lt;SourceArtifact&gt; FetchAsync(SourceReference source, CancellationToken cancellationToken) =&gt; …;
/// }
/// </code>
/// </example>
public interface ISourceProvider
{
    /// <summary>Returns <see langword="true"/> when this provider understands <paramref name="source"/>.</summary>
    /// <param name="source">The source reference.</param>
    /// <returns>Whether the provider handles it.</returns>
    bool CanHandle(SourceReference source);

    /// <summary>
    /// Finds out cheaply which revision <paramref name="source"/> currently points to, without downloading content
    /// (a Git ls-remote, an OCI manifest HEAD, a Helm index lookup). When the revision equals the last fetched one
    /// the engine fetches and renders nothing.
    /// </summary>
    /// <param name="source">The source reference.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The current revision.</returns>
    ValueTask<SourceRevision> ResolveAsync(SourceReference source, CancellationToken cancellationToken);

    /// <summary>Downloads (or reuses from cache) the content of <paramref name="source"/> at its current revision.</summary>
    /// <param name="source">The source reference.</param>
    /// <param name="cancellationToken">Cancels the transfer.</param>
    /// <returns>The fetched artifact on the local file system.</returns>
    ValueTask<SourceArtifact> FetchAsync(SourceReference source, CancellationToken cancellationToken);
}

/// <summary>The revision a source reference resolves to.</summary>
/// <param name="Revision">The revision in the form users know: <c>main@sha1:…</c>, <c>v1.4.2@sha1:…</c>, <c>1.4.2@sha256:…</c>, <c>1.4.2</c>.</param>
/// <param name="Id">The immutable identifier behind it: a commit SHA, a manifest or archive digest.</param>
public sealed record SourceRevision(string Revision, string Id);

/// <summary>Content fetched from a source, laid out in a local directory.</summary>
public sealed record SourceArtifact
{
    /// <summary>Gets the reference that was fetched.</summary>
    public required SourceReference Source { get; init; }

    /// <summary>Gets the revision string, e.g. <c>main@sha1:0123…</c> or <c>1.4.2@sha256:…</c>.</summary>
    public required string Revision { get; init; }

    /// <summary>
    /// Gets the digest of the selected content (<c>sha256:…</c>): equal for two revisions whose content under
    /// <see cref="SourceReference.Path"/> is equal, so unrelated commits are recognisable as no-ops.
    /// </summary>
    public required string Digest { get; init; }

    /// <summary>Gets the local directory holding the fetched content (the repository work tree, the extracted chart or bundle).</summary>
    public required string RootDirectory { get; init; }

    /// <summary>Gets the path, relative to <see cref="RootDirectory"/>, that holds the desired state; empty for the root.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>Gets when the content was fetched.</summary>
    public DateTimeOffset FetchedAt { get; init; }

    /// <summary>Gets what kind of content this is, when the provider knows (<see cref="ArtifactKinds"/>); renderers may use it.</summary>
    public string? ArtifactKind { get; init; }

    /// <summary>Gets provider-specific facts (chart name and version, commit author, media types); never secrets.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the full local path of the desired state: <see cref="RootDirectory"/> joined with <see cref="Path"/>.</summary>
    public string ContentDirectory => Path.Length == 0 ? RootDirectory : System.IO.Path.GetFullPath(System.IO.Path.Combine(RootDirectory, Path));
}

/// <summary>Well-known values of <see cref="SourceArtifact.ArtifactKind"/>.</summary>
public static class ArtifactKinds
{
    /// <summary>A directory of manifests (or a kustomization).</summary>
    public const string Manifests = "manifests";

    /// <summary>A Helm chart directory (holds <c>Chart.yaml</c>).</summary>
    public const string HelmChart = "helm-chart";
}

/// <summary>A source could not be resolved or fetched. The message names the source with credentials removed.</summary>
public class SourceException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public SourceException()
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What went wrong, naming the source (never credentials).</param>
    public SourceException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What went wrong, naming the source (never credentials).</param>
    /// <param name="innerException">The cause.</param>
    public SourceException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets or initializes the kind of failure.</summary>
    public SourceErrorKind Kind { get; init; }
}

/// <summary>Why a source failed.</summary>
public enum SourceErrorKind
{
    /// <summary>Anything else.</summary>
    Other,

    /// <summary>The server could not be reached.</summary>
    Unreachable,

    /// <summary>The server refused the credentials.</summary>
    Unauthorized,

    /// <summary>The branch, tag, version or digest does not exist.</summary>
    RefNotFound,

    /// <summary>The path does not exist in the fetched content.</summary>
    PathNotFound,

    /// <summary>Content did not match its digest, or broke a safety rule (archive escaping its root, size limits).</summary>
    Integrity,

    /// <summary>The operation took longer than its timeout.</summary>
    Timeout,
}
