namespace GitOps.Sdk.Hooks;

/// <summary>When a sync hook runs within a sync (docs/sync-hooks.md). A sync is a reconcile that writes something.</summary>
public enum SyncHookPhase
{
    /// <summary>Before anything of the sync is applied (a database migration). Its failure applies nothing.</summary>
    PreSync,

    /// <summary>With the regular objects of its wave, after they were applied.</summary>
    Sync,

    /// <summary>After every object was applied and is healthy (a smoke test).</summary>
    PostSync,

    /// <summary>When the sync failed (a hook failed, an apply failed, a wave or the application did not become healthy).</summary>
    SyncFail,
}
