using System.Collections.Immutable;

namespace GitOps.Sdk;

/// <summary>The objects an application declares at one source revision, in render order, each with its origin.</summary>
public sealed record DesiredState
{
    /// <summary>Gets an empty desired state.</summary>
    public static DesiredState Empty { get; } = new();

    /// <summary>Gets the objects in render order (file order, then document order).</summary>
    public ImmutableArray<KubeObject> Objects { get; init; } = [];

    /// <summary>Gets the source revision the objects were rendered from, when known.</summary>
    public string? Revision { get; init; }

    /// <summary>Gets the digest of the source content the objects were rendered from, when known.</summary>
    public string? Digest { get; init; }
}

/// <summary>
/// A problem found while reading or rendering manifests. It names the file, document, position and, where known,
/// the object, so a user can find the line to fix.
/// </summary>
/// <param name="Message">What is wrong, in words.</param>
/// <param name="File">The file, relative to the artifact root where possible.</param>
/// <param name="DocumentIndex">The zero-based document index in the file, or -1 when the problem is not in one document.</param>
/// <param name="Line">The one-based line, or 0 when unknown.</param>
/// <param name="Column">The one-based column, or 0 when unknown.</param>
public sealed record ManifestError(string Message, string? File = null, int DocumentIndex = -1, int Line = 0, int Column = 0)
{
    /// <summary>Gets the object the problem is about, when known.</summary>
    public ResourceKey? Object { get; init; }

    /// <summary>Gets a short machine-readable code, e.g. <c>duplicate-key</c>, <c>alias-limit</c>, <c>missing-name</c>.</summary>
    public string? Code { get; init; }

    /// <summary>Returns <c>file:line:column: document N: object: message</c>, leaving out what is unknown.</summary>
    /// <returns>The text form.</returns>
    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        if (File is not null)
        {
            sb.Append(File);
            if (Line > 0)
            {
                sb.Append(':').Append(Line).Append(':').Append(Column);
            }

            sb.Append(": ");
        }

        if (DocumentIndex >= 0)
        {
            sb.Append("document ").Append(DocumentIndex).Append(": ");
        }

        if (Object is { } key)
        {
            sb.Append(key).Append(": ");
        }

        return sb.Append(Message).ToString();
    }
}
