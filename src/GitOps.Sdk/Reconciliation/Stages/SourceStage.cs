using GitOps.Sdk.Status;
using GitOps.Sdk.Events;

namespace GitOps.Sdk.Reconciliation;

/// <summary>The source stage's input.</summary>
/// <param name="Source">The effective source.</param>
/// <param name="KnownRevisionId">The revision id of the last good render made with the same render options: not fetched again.</param>
internal sealed record SourceInput(SourceReference Source, string? KnownRevisionId);

/// <summary>Resolves the source cheaply, and fetches it only when the revision moved.</summary>
internal sealed class SourceStage(StageContext context)
{
    public async ValueTask<StageResult<ResolvedSource>> RunAsync(SourceInput input, CancellationToken cancellationToken)
    {
        var source = input.Source;
        var provider = context.Services.SourceProviders.FirstOrDefault(p => p.CanHandle(source));
        if (provider is null)
        {
            return StageFailure.At(ReconcileStage.Source, $"no source provider handles {source} (register one: AddGitSource(), AddHelmRepositorySource(), AddOciSource())");
        }

        SourceRevision resolved;
        try
        {
            using (context.StartActivity("gitops.source.resolve"))
            {
                resolved = await provider.ResolveAsync(source, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (SourceException ex)
        {
            return Failed(ex);
        }

        if (string.Equals(resolved.Id, input.KnownRevisionId, StringComparison.Ordinal))
        {
            return new ResolvedSource(resolved, null);
        }

        SourceArtifact artifact;
        try
        {
            using (context.StartActivity("gitops.source.fetch"))
            {
                artifact = await provider.FetchAsync(source, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (SourceException ex)
        {
            // The resolved revision is still reported (status LastAttemptedRevision, the error message).
            return new StageResult<ResolvedSource>(new ResolvedSource(resolved, null), Failed(ex));
        }

        context.Publish(new SourceFetched
        {
            Application = context.Application,
            Timestamp = context.Now,
            Revision = artifact.Revision,
            Source = source.ToString(),
            Digest = artifact.Digest,
        });
        return new ResolvedSource(resolved, artifact);
    }

    private static StageFailure Failed(SourceException ex) => StageFailure.At(ReconcileStage.Source, $"source failed ({ex.Kind}): {ex.Message}");
}
