using GitOps.Sdk;
using GitOps.Sdk.Hosting;
using Microsoft.Extensions.Options;

namespace GitOps.Samples.WebHost;

/// <summary>
/// Computes <c>GET /apps/{name}/diff</c> now, without applying anything: fetches the application's source, renders
/// it with the engine's render stage, reads the live objects and diffs each with the engine's diff engine (same
/// field manager and ignore rules as the reconciler). The definition is the one the engine runs now
/// (<see cref="IGitOpsController.GetDefinition"/>), so it follows applications added or changed while the host runs.
/// </summary>
public sealed class LiveDiff(
    IOptions<GitOpsOptions> options,
    IGitOpsController controller,
    IEnumerable<ISourceProvider> sources,
    IRenderStage renderStage,
    ILiveState liveState,
    IDiffEngine diffEngine)
{
    /// <summary>Diffs an application's desired state in Git against the live objects.</summary>
    /// <param name="application">The application name.</param>
    /// <param name="cancellationToken">Cancels the diff.</param>
    /// <returns>The diff, or <see langword="null"/> for an unknown application.</returns>
    public async Task<AppDiff?> ComputeAsync(string application, CancellationToken cancellationToken)
    {
        var app = controller.GetDefinition(application);
        if (app is null)
        {
            return null;
        }

        var source = app.GetEffectiveSource();
        var provider = sources.FirstOrDefault(p => p.CanHandle(source));
        if (provider is null)
        {
            return AppDiff.Failed(application, null, $"no source provider handles {source}");
        }

        SourceArtifact artifact;
        try
        {
            artifact = await provider.FetchAsync(source, cancellationToken);
        }
        catch (SourceException e)
        {
            return AppDiff.Failed(application, null, e.Message);
        }

        var rendered = await renderStage.RenderAsync(artifact, app.ToRenderOptions(), cancellationToken);
        if (!rendered.Succeeded)
        {
            return AppDiff.Failed(application, artifact.Revision, string.Join("; ", rendered.Errors.Select(e => e.ToString())));
        }

        var desired = rendered.State.Objects;
        var live = await liveState.GetManyAsync([.. desired.Select(o => (o.Key, o.ApiVersion))], cancellationToken);
        var diffOptions = new DiffOptions
        {
            FieldManager = options.Value.FieldManager,
            IgnoreRules = [.. options.Value.IgnoreRules, .. app.IgnoreRules],
        };
        var changed = new List<AppObjectDiff>();
        foreach (var d in desired)
        {
            var diff = diffEngine.Diff(d, live.GetValueOrDefault(d.Key), null, diffOptions);
            if (diff.HasDrift)
            {
                changed.Add(new AppObjectDiff(
                    d.Key.ToString(),
                    diff.Action.ToString(),
                    [.. diff.Changes.Select(AppFieldChange.From)],
                    diffEngine.FormatUnified(diff)));
            }
        }

        return new AppDiff(application, artifact.Revision, changed.Count == 0, desired.Length - changed.Count, changed, null);
    }
}
