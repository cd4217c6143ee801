namespace GitOps.Sdk;

/// <summary>
/// Where desired state comes from: a Git repository, a Helm chart repository, an OCI repository or anything a
/// custom <see cref="ISourceProvider"/> understands. Providers are chosen by asking each one
/// <see cref="ISourceProvider.CanHandle"/>.
/// </summary>
/// <example>
/// <code>
/// var git = new SourceReference { Url = "https://git.example.com/shop/deploy.git", Ref = "main", Path = "apps/web" };
/// var oci = new SourceReference { Url = "oci://registry.example.com/charts/web", Ref = "&gt;=1.2.0 &lt;2.0.0" };
/// var helm = new SourceReference { Type = SourceTypes.HelmRepository, Url = "https://charts.example.com", Chart = "web", Ref = "^1.4" };
/// </code>
/// </example>
public sealed record SourceReference
{
    /// <summary>Gets the location: a Git URL or path, <c>oci://registry/repository</c>, or a Helm repository URL.</summary>
    public required string Url { get; init; }

    /// <summary>
    /// Gets the source type (<see cref="SourceTypes"/>), or <see langword="null"/> to let providers recognise the URL.
    /// </summary>
    public string? Type { get; init; }

    /// <summary>
    /// Gets the reference to resolve: a branch, tag, commit SHA, semver range over tags or chart versions,
    /// an exact version, or an OCI digest (<c>sha256:…</c>). <see langword="null"/> means the provider's default
    /// (the remote's default branch, the latest stable version, the <c>latest</c> tag).
    /// </summary>
    public string? Ref { get; init; }

    /// <summary>Gets how <see cref="Ref"/> is to be read. <value>Default: <see cref="SourceRefKind.Auto"/>.</value></summary>
    public SourceRefKind RefKind { get; init; } = SourceRefKind.Auto;

    /// <summary>Gets the path inside the fetched content that holds the desired state; <see langword="null"/> for the root.</summary>
    public string? Path { get; init; }

    /// <summary>Gets the chart name, for Helm chart repositories.</summary>
    public string? Chart { get; init; }

    /// <summary>
    /// Gets the name under which credentials for this source are registered (see <see cref="ICredentialProvider"/>);
    /// credentials themselves never live in a reference, so a reference is always safe to print.
    /// </summary>
    public string? CredentialsName { get; init; }

    /// <summary>Gets a value indicating whether pre-release versions may be selected by a semver range. <value>Default: <see langword="false"/>.</value></summary>
    public bool IncludePrerelease { get; init; }

    /// <summary>Gets provider-specific settings (never secrets).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>Returns the URL with any user-info removed, followed by ref and path: safe to log.</summary>
    /// <returns>A printable description.</returns>
    public override string ToString()
    {
        var url = SafeUrl.Redact(Url);
        var text = Ref is null ? url : $"{url}@{Ref}";
        if (Chart is not null)
        {
            text += $" chart {Chart}";
        }

        return Path is null ? text : $"{text}//{Path}";
    }
}

/// <summary>How a <see cref="SourceReference.Ref"/> is read.</summary>
public enum SourceRefKind
{
    /// <summary>The provider decides: a 40-hex string is a commit, <c>sha256:…</c> a digest, a range a semver constraint, else a branch or tag.</summary>
    Auto,

    /// <summary>A branch name.</summary>
    Branch,

    /// <summary>A tag name.</summary>
    Tag,

    /// <summary>A semver constraint over tags or chart versions, e.g. <c>&gt;=1.2.0 &lt;2.0.0</c>, <c>^1.4</c>, <c>*</c>.</summary>
    Semver,

    /// <summary>An exact commit SHA.</summary>
    Commit,

    /// <summary>An exact content digest, e.g. an OCI manifest <c>sha256:…</c>.</summary>
    Digest,
}

/// <summary>Well-known values of <see cref="SourceReference.Type"/>.</summary>
public static class SourceTypes
{
    /// <summary>A Git repository.</summary>
    public const string Git = "git";

    /// <summary>A classic Helm chart repository (<c>index.yaml</c> over HTTP).</summary>
    public const string HelmRepository = "helm";

    /// <summary>An OCI registry repository.</summary>
    public const string Oci = "oci";
}

/// <summary>Removes credentials from URLs before they are printed.</summary>
public static class SafeUrl
{
    /// <summary>Returns <paramref name="url"/> without user-info (<c>user:password@</c>) and without query string values.</summary>
    /// <param name="url">A URL or path; anything that is not an absolute URI is returned as is.</param>
    /// <returns>A URL safe to print.</returns>
    public static string Redact(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return string.Empty;
        }

        var at = url.IndexOf('@', StringComparison.Ordinal);
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0 && at > scheme)
        {
            var slash = url.IndexOf('/', scheme + 3);
            if (slash < 0 || at < slash)
            {
                url = string.Concat(url.AsSpan(0, scheme + 3), "***@", url.AsSpan(at + 1));
            }
        }

        var query = url.IndexOf('?', StringComparison.Ordinal);
        return query >= 0 && scheme > 0 ? string.Concat(url.AsSpan(0, query), "?***") : url;
    }
}
