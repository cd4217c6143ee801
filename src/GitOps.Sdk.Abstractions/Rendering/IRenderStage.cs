namespace GitOps.Sdk;

/// <summary>
/// The whole render stage: picks the renderer (explicit or automatic), renders, runs every <see cref="IRenderTransform"/>
/// in order and caches results by (artifact digest, path, renderer, options).
/// </summary>
public interface IRenderStage
{
    /// <summary>Renders <paramref name="artifact"/> for an application.</summary>
    /// <param name="artifact">The fetched content.</param>
    /// <param name="options">The application's render options.</param>
    /// <param name="cancellationToken">Cancels rendering.</param>
    /// <returns>The transformed desired state, or errors naming application, revision, file, document and object.</returns>
    ValueTask<RenderResult> RenderAsync(SourceArtifact artifact, RenderOptions options, CancellationToken cancellationToken);
}
