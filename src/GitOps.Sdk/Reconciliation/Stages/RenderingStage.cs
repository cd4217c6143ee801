using GitOps.Sdk.Status;
using GitOps.Sdk.Events;

namespace GitOps.Sdk.Reconciliation;

/// <summary>The render stage's input.</summary>
/// <param name="Artifact">The fetched artifact.</param>
/// <param name="Options">The render options.</param>
/// <param name="SameContent">The last good desired state when the artifact is the same content with the same options (not rendered again).</param>
internal sealed record RenderInput(SourceArtifact Artifact, RenderOptions Options, DesiredState? SameContent);

/// <summary>
/// Renders the artifact (unless it is the last good content), then admits the revision whole or refuses it: duplicates,
/// the engine's reserved objects, and the confinement policy, before anything is read, applied or pruned.
/// </summary>
internal sealed class RenderingStage(StageContext context, RevisionAdmission admission)
{
    private const int ShownErrors = 20;

    public async ValueTask<StageResult<RenderedState>> RunAsync(RenderInput input, CancellationToken cancellationToken)
    {
        var artifact = input.Artifact;
        DesiredState desired;
        if (input.SameContent is { } same)
        {
            // A commit that does not touch the application's path: same content, no render.
            desired = same with { Revision = artifact.Revision };
        }
        else
        {
            RenderResult rendered;
            using (context.StartActivity("gitops.render"))
            {
                rendered = await context.Services.RenderStage.RenderAsync(artifact, input.Options, cancellationToken).ConfigureAwait(false);
            }

            if (!rendered.Succeeded)
            {
                var errors = string.Join("; ", rendered.Errors.Take(ShownErrors).Select(static e => e.ToString()));
                var more = rendered.Errors.Length > ShownErrors ? $" (and {rendered.Errors.Length - ShownErrors} more)" : string.Empty;
                return StageFailure.At(ReconcileStage.Render, $"render failed ({rendered.Errors.Length} error(s)): {errors}{more}");
            }

            desired = rendered.State with
            {
                Objects = rendered.State.Objects.IsDefault ? [] : rendered.State.Objects,
                Revision = artifact.Revision,
                Digest = artifact.Digest,
            };
            context.Publish(new Rendered
            {
                Application = context.Application,
                Timestamp = context.Now,
                Revision = artifact.Revision,
                ObjectCount = desired.Objects.Length,
                Renderer = rendered.Renderer,
                Digest = artifact.Digest,
            });
        }

        var duplicates = desired.Objects.GroupBy(static o => o.Key).Where(static g => g.Count() > 1).Select(static g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            var where = string.Join("; ", duplicates.Select(k => $"{k} declared in {string.Join(" and ", desired.Objects.Where(o => o.Key == k).Select(o => o.Origin?.ToString() ?? "?"))}"));
            return StageFailure.At(ReconcileStage.Render, $"render failed: objects declared more than once: {where}");
        }

        var state = new RenderedState(desired);
        return admission.Check(desired, artifact.Revision) is { } refused ? new StageResult<RenderedState>(state, refused) : state;
    }
}
