using System.Collections.Immutable;
using GitOps.Sdk.Hooks;
using GitOps.Sdk.Hosting;
using Microsoft.Extensions.Options;

namespace GitOps.Sdk.AspNetCore;

/// <summary>
/// Computes what applying an application's source now would change, without applying anything: fetches the source,
/// renders it with the engine's render stage, reads the live objects and diffs each with the engine's diff engine,
/// with the field manager and ignore rules the reconciler uses. The definition is the one the engine runs now
/// (<see cref="IGitOpsController.GetDefinition"/>), so it follows applications added or changed while the host runs.
/// Secret values are masked by the diff engine. Sync hooks and objects a hook annotation leaves out (<c>Skip</c>) are not
/// compared: they are never drift (<see cref="SyncHookFilter"/>).
/// </summary>
/// <param name="options">The engine options (field manager, host-wide ignore rules).</param>
/// <param name="controller">The controller, for the running definitions.</param>
/// <param name="sources">The registered source providers.</param>
/// <param name="renderStage">The render stage.</param>
/// <param name="liveState">The target's live state.</param>
/// <param name="diffEngine">The diff engine.</param>
public sealed class GitOpsLiveDiff(
    IOptions<GitOpsOptions> options,
    IGitOpsController controller,
    IEnumerable<ISourceProvider> sources,
    IRenderStage renderStage,
    ILiveState liveState,
    IDiffEngine diffEngine)
{
    /// <summary>Diffs an application's desired state in its source against the live objects.</summary>
    /// <param name="application">The application name.</param>
    /// <param name="cancellationToken">Cancels the diff.</param>
    /// <returns>The diff, or <see langword="null"/> for an unknown application.</returns>
    public async Task<ApplicationDiff?> ComputeAsync(string application, CancellationToken cancellationToken)
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
            return ApplicationDiff.Failed(application, null, $"no source provider handles {source}");
        }

        SourceArtifact artifact;
        try
        {
            artifact = await provider.FetchAsync(source, cancellationToken).ConfigureAwait(false);
        }
        catch (SourceException e)
        {
            return ApplicationDiff.Failed(application, null, SafeText.Redact(e.Message)!);
        }

        var rendered = await renderStage.RenderAsync(artifact, app.ToRenderOptions(), cancellationToken).ConfigureAwait(false);
        if (!rendered.Succeeded)
        {
            return ApplicationDiff.Failed(application, artifact.Revision, SafeText.Redact(string.Join("; ", rendered.Errors.Select(e => e.ToString())))!);
        }

        // Sync hooks (and objects a hook annotation leaves out) are never drift, as in the engine.
        var desired = rendered.State.Objects.Where(SyncHookFilter.IsRegular).ToImmutableArray();
        var live = await liveState.GetManyAsync([.. desired.Select(o => (o.Key, o.ApiVersion))], cancellationToken).ConfigureAwait(false);
        var diffOptions = new DiffOptions
        {
            FieldManager = options.Value.FieldManager,
            IgnoreRules = [.. options.Value.IgnoreRules, .. app.IgnoreRules],
        };
        var changed = new List<ObjectDiffModel>();
        foreach (var d in desired)
        {
            var diff = diffEngine.Diff(d, live.GetValueOrDefault(d.Key), null, diffOptions);
            if (diff.HasDrift)
            {
                changed.Add(new ObjectDiffModel(
                    d.Key.ToString(),
                    diff.Action.ToString(),
                    [.. diff.Changes.Select(FieldChangeModel.From)],
                    diffEngine.FormatUnified(diff)));
            }
        }

        return new ApplicationDiff(application, artifact.Revision, changed.Count == 0, desired.Length - changed.Count, changed, null);
    }
}
