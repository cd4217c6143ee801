namespace GitOps.Sdk.Hooks;

/// <summary>
/// Tells the objects the engine diffs, applies, records and prunes from those it does not: sync hooks (run per sync,
/// never drift) and objects a hook annotation leaves out of the sync (<c>Skip</c>, phases this engine does not run), read
/// from the engine's, Argo CD's and Helm's annotations exactly as the engine reads them (docs/sync-hooks.md). Tools that
/// show drift the way the engine sees it (a live diff, <c>gitops diff</c>) leave the others out.
/// </summary>
public static class SyncHookFilter
{
    /// <summary>Gets whether <paramref name="obj"/> is a regular object: not a sync hook and not left out by a hook annotation.</summary>
    /// <param name="obj">A desired (or live) object.</param>
    /// <returns><see langword="false"/> for a hook or an object left out of the sync; <see langword="true"/> otherwise.</returns>
    public static bool IsRegular(KubeObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return !SyncHooks.Parse(obj, out _, out _);
    }
}
