using System.Text.RegularExpressions;

namespace GitOps.Sdk.Oci.Distribution;

/// <summary>A registry repository: <c>registry.example.com:5000/team/charts/web</c>.</summary>
/// <param name="Registry">The registry host, with port when not the default (<c>127.0.0.1:5000</c>).</param>
/// <param name="Repository">The repository name inside the registry (<c>team/charts/web</c>).</param>
public sealed partial record OciRepositoryReference(string Registry, string Repository)
{
    /// <summary>Parses <c>oci://registry/repository</c> (the scheme is optional).</summary>
    /// <param name="url">The URL.</param>
    /// <returns>The repository.</returns>
    /// <exception cref="FormatException">The URL has no registry or repository, carries credentials, a tag or a digest.</exception>
    public static OciRepositoryReference Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var text = url.StartsWith("oci://", StringComparison.OrdinalIgnoreCase) ? url[6..] : url;
        text = text.TrimEnd('/');
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == text.Length - 1)
        {
            throw new FormatException($"'{SafeUrl.Redact(url)}' is not an OCI repository URL (expected oci://registry/repository).");
        }

        var registry = text[..slash];
        var repository = text[(slash + 1)..];
        if (registry.Contains('@', StringComparison.Ordinal))
        {
            throw new FormatException($"'{SafeUrl.Redact(url)}' carries credentials; supply them through ICredentialProvider.");
        }

        if (!RepositoryName().IsMatch(repository))
        {
            throw new FormatException($"'{SafeUrl.Redact(url)}' has an invalid repository name '{repository}' (lower-case path components; put tags and digests in Ref).");
        }

        return new OciRepositoryReference(registry.ToLowerInvariant(), repository);
    }

    /// <inheritdoc />
    public override string ToString() => $"oci://{Registry}/{Repository}";

    // The distribution spec's <name> grammar.
    [GeneratedRegex("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryName();
}

/// <summary>A content descriptor: what a manifest says about a blob or another manifest.</summary>
/// <param name="MediaType">The media type.</param>
/// <param name="Digest">The digest, <c>sha256:…</c>.</param>
/// <param name="Size">The size in bytes.</param>
public sealed record OciDescriptor(string MediaType, string Digest, long Size)
{
    /// <summary>Gets the annotations.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the artifact type, when set (OCI 1.1).</summary>
    public string? ArtifactType { get; init; }
}

/// <summary>A manifest (or index) as fetched, with its verified digest and raw bytes.</summary>
public sealed record OciManifest
{
    /// <summary>Gets the descriptor of the manifest itself (digest computed over <see cref="Content"/>).</summary>
    public required OciDescriptor Descriptor { get; init; }

    /// <summary>Gets the media type: the <c>mediaType</c> field, else the <c>Content-Type</c>, else inferred from the shape (Helm leaves the field out).</summary>
    public string MediaType => Descriptor.MediaType;

    /// <summary>Gets the config descriptor; <see langword="null"/> for an index.</summary>
    public OciDescriptor? Config { get; init; }

    /// <summary>Gets the layers; empty for an index.</summary>
    public IReadOnlyList<OciDescriptor> Layers { get; init; } = [];

    /// <summary>Gets the manifests of an index; empty for an image manifest.</summary>
    public IReadOnlyList<OciDescriptor> Manifests { get; init; } = [];

    /// <summary>Gets the manifest's annotations.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>Gets the raw bytes as served (the digest covers exactly these).</summary>
    public ReadOnlyMemory<byte> Content { get; init; }

    /// <summary>Gets a value indicating whether this is an index or manifest list.</summary>
    public bool IsIndex => OciMediaTypes.IsIndex(MediaType);
}
