namespace GitOps.Sdk;

/// <summary>Label and annotation names the engine reads and writes. Where options allow other names, these are the defaults.</summary>
public static class WellKnown
{
    /// <summary>Label naming the application that owns an object (the default ownership mark).</summary>
    public const string ApplicationLabel = "gitops.sdk.io/application";

    /// <summary>Annotation carrying the tracking id <c>application:group/Kind:namespace/name</c>, so a copied label cannot fake ownership.</summary>
    public const string TrackingIdAnnotation = "gitops.sdk.io/tracking-id";

    /// <summary>Annotation that opts an object out of pruning when set to <c>disabled</c>.</summary>
    public const string PruneAnnotation = "gitops.sdk.io/prune";

    /// <summary>Annotation holding an object's sync wave (an integer; lower waves apply first, default 0).</summary>
    public const string SyncWaveAnnotation = "gitops.sdk.io/sync-wave";

    /// <summary>Annotation that allows delete-and-recreate on immutable-field changes when set to <c>true</c>.</summary>
    public const string RecreateAnnotation = "gitops.sdk.io/recreate";

    /// <summary>Annotation that opts an object out of <c>${VAR}</c> substitution when set to <c>disabled</c>.</summary>
    public const string SubstituteAnnotation = "gitops.sdk.io/substitute";

    /// <summary>
    /// Annotation that makes an object a sync hook instead of a regular object: <c>PreSync</c>, <c>Sync</c>,
    /// <c>PostSync</c>, <c>SyncFail</c> (comma-separated for several phases) or <c>Skip</c> (not applied at all).
    /// Argo CD's <see cref="ArgoHookAnnotation"/> and Helm's <see cref="HelmHookEventsAnnotation"/> are read too (docs/sync-hooks.md).
    /// </summary>
    public const string HookAnnotation = "gitops.sdk.io/hook";

    /// <summary>Annotation naming when a sync hook is deleted: <c>BeforeHookCreation</c> (the default), <c>HookSucceeded</c>, <c>HookFailed</c>, comma-separated.</summary>
    public const string HookDeletePolicyAnnotation = "gitops.sdk.io/hook-delete-policy";

    /// <summary>Argo CD's hook annotation, read like <see cref="HookAnnotation"/>.</summary>
    public const string ArgoHookAnnotation = "argocd.argoproj.io/hook";

    /// <summary>Argo CD's hook delete policy annotation, read like <see cref="HookDeletePolicyAnnotation"/>.</summary>
    public const string ArgoHookDeletePolicyAnnotation = "argocd.argoproj.io/hook-delete-policy";

    /// <summary>Argo CD's sync wave annotation, read when <see cref="SyncWaveAnnotation"/> is absent.</summary>
    public const string ArgoSyncWaveAnnotation = "argocd.argoproj.io/sync-wave";

    /// <summary>Helm's hook annotation: <c>pre-install</c> and <c>pre-upgrade</c> run as <c>PreSync</c> hooks, <c>post-install</c> and <c>post-upgrade</c> as <c>PostSync</c> hooks; other events are not run.</summary>
    public const string HelmHookEventsAnnotation = "helm.sh/hook";

    /// <summary>Helm's hook weight: the wave of a Helm hook within its phase, when neither wave annotation is set.</summary>
    public const string HelmHookWeightAnnotation = "helm.sh/hook-weight";

    /// <summary>Helm's hook delete policy: <c>before-hook-creation</c> (the default), <c>hook-succeeded</c>, <c>hook-failed</c>.</summary>
    public const string HelmHookDeletePolicyAnnotation = "helm.sh/hook-delete-policy";

    /// <summary>Annotation added to Helm hooks rendered as regular objects (the Helm renderer's <c>ApplyHooks</c>), naming the hook events; such an object is not run as a sync hook.</summary>
    public const string HelmHookAnnotation = "gitops.sdk.io/helm-hook";

    /// <summary>The default field manager for server-side apply.</summary>
    public const string FieldManager = "gitops-sdk";
}
