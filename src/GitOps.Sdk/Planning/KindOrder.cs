using System.Collections.Frozen;

namespace GitOps.Sdk.Planning;

/// <summary>
/// The built-in apply order of kinds: what other objects depend on goes first (definitions, namespaces, cluster
/// RBAC, classes, identities, configuration, services, workloads), what intercepts API traffic goes last
/// (admission webhooks, aggregated APIs), so a half-applied set never blocks its own remaining writes.
/// Deletes run in the reverse order.
/// </summary>
internal static class KindOrder
{
    /// <summary>The rank of custom resources and of kinds this table does not know.</summary>
    public const int CustomResource = 900;

    private static readonly FrozenDictionary<GroupKind, int> Ranks = BuildTable();

    /// <summary>Returns the rank of <paramref name="groupKind"/>; lower ranks apply first.</summary>
    /// <param name="groupKind">The group and kind.</param>
    /// <param name="overrides">Ranks a host sets for some kinds, taking precedence over the table.</param>
    /// <returns>The rank; <see cref="CustomResource"/> for kinds the table does not know.</returns>
    public static int GetRank(GroupKind groupKind, IReadOnlyDictionary<GroupKind, int>? overrides = null)
    {
        if (overrides is not null && overrides.TryGetValue(groupKind, out var custom))
        {
            return custom;
        }

        return Ranks.TryGetValue(groupKind, out var rank) ? rank : CustomResource;
    }

    private static FrozenDictionary<GroupKind, int> BuildTable()
    {
        const string Core = "";
        const string Apps = "apps";
        const string Rbac = "rbac.authorization.k8s.io";
        var table = new Dictionary<GroupKind, int>
        {
            // Definitions first: everything else may be an instance of them or live in them.
            [new("apiextensions.k8s.io", "CustomResourceDefinition")] = 100,
            [new(Core, "Namespace")] = 110,

            // Cluster-wide policy and RBAC, so service accounts and workloads are admitted with their rights.
            [new("scheduling.k8s.io", "PriorityClass")] = 200,
            [new(Rbac, "ClusterRole")] = 210,
            [new(Rbac, "ClusterRoleBinding")] = 220,

            // Classes referenced by name from namespaced objects.
            [new("storage.k8s.io", "StorageClass")] = 300,
            [new("networking.k8s.io", "IngressClass")] = 301,
            [new("node.k8s.io", "RuntimeClass")] = 302,
            [new("policy", "PodSecurityPolicy")] = 310,
            [new(Core, "PersistentVolume")] = 320,

            // Identities and namespaced RBAC.
            [new(Core, "ServiceAccount")] = 400,
            [new(Rbac, "Role")] = 410,
            [new(Rbac, "RoleBinding")] = 420,

            // Configuration and constraints that workloads read or are admitted against.
            [new(Core, "LimitRange")] = 500,
            [new(Core, "ResourceQuota")] = 501,
            [new(Core, "Secret")] = 510,
            [new(Core, "ConfigMap")] = 511,
            [new(Core, "PersistentVolumeClaim")] = 520,

            // Services before the pods behind them, so environment variables and DNS exist at start.
            [new(Core, "Service")] = 600,
            [new(Core, "Endpoints")] = 601,
            [new("discovery.k8s.io", "EndpointSlice")] = 602,

            // Workloads.
            [new(Apps, "DaemonSet")] = 700,
            [new(Apps, "Deployment")] = 701,
            [new(Apps, "ReplicaSet")] = 702,
            [new(Apps, "StatefulSet")] = 703,
            [new(Core, "ReplicationController")] = 704,
            [new(Core, "Pod")] = 705,
            [new("batch", "Job")] = 710,
            [new("batch", "CronJob")] = 711,

            // What refers to workloads.
            [new("autoscaling", "HorizontalPodAutoscaler")] = 800,
            [new("policy", "PodDisruptionBudget")] = 801,
            [new("networking.k8s.io", "Ingress")] = 810,
            [new("networking.k8s.io", "NetworkPolicy")] = 811,

            // Custom resources rank CustomResource (900).

            // Last: admission and aggregation intercept requests, so they must not block the objects above.
            [new("admissionregistration.k8s.io", "ValidatingAdmissionPolicy")] = 990,
            [new("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding")] = 991,
            [new("admissionregistration.k8s.io", "MutatingWebhookConfiguration")] = 995,
            [new("admissionregistration.k8s.io", "ValidatingWebhookConfiguration")] = 996,
            [new("apiregistration.k8s.io", "APIService")] = 999,
        };
        return table.ToFrozenDictionary();
    }
}
