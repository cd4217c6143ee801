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

    /// <summary>Annotation added to Helm hooks rendered as objects (the Helm renderer's <c>ApplyHooks</c>), naming the hook events.</summary>
    public const string HelmHookAnnotation = "gitops.sdk.io/helm-hook";

    /// <summary>The default field manager for server-side apply.</summary>
    public const string FieldManager = "gitops-sdk";
}
