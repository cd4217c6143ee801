using System.Collections.Immutable;

namespace GitOps.Sdk;

/// <summary>
/// What a renderer recognises under automatic selection (<see cref="RenderOptions.Renderer"/> <c>auto</c>): marker files
/// in the artifact's content folder and artifact kinds (<see cref="SourceArtifact.ArtifactKind"/>), ranked by
/// <see cref="Priority"/>.
/// </summary>
/// <remarks>
/// <para>
/// A renderer matches an artifact when any of its <see cref="MarkerFiles"/> exists directly in the content folder (compared
/// as the file system compares names) or the artifact's kind is one of its <see cref="ArtifactKinds"/>. Of the matching
/// renderers the one with the highest priority wins; two matching at the same highest priority is an error naming both
/// and the folder (pick one with <see cref="RenderOptions.Renderer"/>). No match: the renderers that declare nothing are
/// asked through <see cref="IRenderer.CanRender"/>, then the <c>plain</c> renderer renders the folder.
/// </para>
/// <para>
/// The built-in priorities: <c>kustomize</c> <see cref="KustomizePriority"/> (a kustomization wins over a
/// <c>Chart.yaml</c> beside it, as a kustomization may inflate that chart), <c>helm</c> <see cref="HelmPriority"/>. A
/// third-party renderer keeps the default 0 unless its marker should win over theirs.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// public RendererDetection Detection { get; } = new() { MarkerFiles = ["jsonnetfile.json"] };
/// </code>
/// </example>
public sealed record RendererDetection
{
    /// <summary>The priority the Kustomize renderer declares.</summary>
    public const int KustomizePriority = 200;

    /// <summary>The priority the Helm renderer declares.</summary>
    public const int HelmPriority = 100;

    /// <summary>Gets a declaration that recognises nothing (the renderer is asked through <see cref="IRenderer.CanRender"/> instead).</summary>
    public static RendererDetection None { get; } = new();

    /// <summary>Gets file names that mark the renderer's input when present directly in the content folder, e.g. <c>Chart.yaml</c>.</summary>
    public ImmutableArray<string> MarkerFiles { get; init; } = [];

    /// <summary>Gets artifact kinds the renderer renders whatever the folder holds, e.g. <see cref="Sdk.ArtifactKinds.HelmChart"/>.</summary>
    public ImmutableArray<string> ArtifactKinds { get; init; } = [];

    /// <summary>Gets the rank among matching renderers; higher wins. <value>Default: 0.</value></summary>
    public int Priority { get; init; }

    /// <summary>Gets a value indicating whether the declaration names no marker file and no artifact kind.</summary>
    public bool IsEmpty => MarkerFiles.IsDefaultOrEmpty && ArtifactKinds.IsDefaultOrEmpty;

    /// <summary>Returns what of this declaration <paramref name="artifact"/> matches: a marker file name or <c>kind &lt;kind&gt;</c>.</summary>
    /// <param name="artifact">The fetched content.</param>
    /// <returns>The first marker file found (in declaration order), else the matching kind, else <see langword="null"/>.</returns>
    public string? Match(SourceArtifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var directory = artifact.ContentDirectory;
        foreach (var marker in MarkerFiles.IsDefault ? [] : MarkerFiles)
        {
            if (!string.IsNullOrEmpty(marker) && File.Exists(Path.Combine(directory, marker)))
            {
                return marker;
            }
        }

        foreach (var kind in ArtifactKinds.IsDefault ? [] : ArtifactKinds)
        {
            if (string.Equals(artifact.ArtifactKind, kind, StringComparison.Ordinal))
            {
                return $"artifact kind '{kind}'";
            }
        }

        return null;
    }
}
