using System.Collections.Frozen;

namespace GitOps.Sdk.Rendering;

/// <summary>The built-in Kubernetes kinds that are cluster-scoped (have no namespace), as served by the API server.</summary>
/// <remarks>
/// Every other built-in kind is namespaced. Custom kinds are namespaced unless their CustomResourceDefinition says
/// <c>scope: Cluster</c>; <see cref="DefaultNamespaceTransform"/> reads that from the desired state and from
/// <see cref="RenderStageOptions.ClusterScopedKinds"/>.
/// </remarks>
internal static class ClusterScopedKinds
{
    /// <summary>Gets the built-in cluster-scoped kinds.</summary>
    public static FrozenSet<GroupKind> BuiltIn { get; } = new GroupKind[]
    {
        new(string.Empty, "Namespace"),
        new(string.Empty, "Node"),
        new(string.Empty, "PersistentVolume"),
        new(string.Empty, "ComponentStatus"),
        new("storage.k8s.io", "StorageClass"),
        new("storage.k8s.io", "CSIDriver"),
        new("storage.k8s.io", "CSINode"),
        new("storage.k8s.io", "VolumeAttachment"),
        new("storage.k8s.io", "VolumeAttributesClass"),
        new("rbac.authorization.k8s.io", "ClusterRole"),
        new("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        new("apiextensions.k8s.io", "CustomResourceDefinition"),
        new("apiregistration.k8s.io", "APIService"),
        new("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        new("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        new("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        new("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
        new("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
        new("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
        new("scheduling.k8s.io", "PriorityClass"),
        new("node.k8s.io", "RuntimeClass"),
        new("networking.k8s.io", "IngressClass"),
        new("networking.k8s.io", "IPAddress"),
        new("networking.k8s.io", "ServiceCIDR"),
        new("certificates.k8s.io", "CertificateSigningRequest"),
        new("certificates.k8s.io", "ClusterTrustBundle"),
        new("flowcontrol.apiserver.k8s.io", "FlowSchema"),
        new("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
        new("authentication.k8s.io", "TokenReview"),
        new("authentication.k8s.io", "SelfSubjectReview"),
        new("authorization.k8s.io", "SubjectAccessReview"),
        new("authorization.k8s.io", "SelfSubjectAccessReview"),
        new("authorization.k8s.io", "SelfSubjectRulesReview"),
        new("resource.k8s.io", "DeviceClass"),
        new("resource.k8s.io", "ResourceSlice"),
        new("policy", "PodSecurityPolicy"),
        new("storagemigration.k8s.io", "StorageVersionMigration"),
        new("internal.apiserver.k8s.io", "StorageVersion"),
    }.ToFrozenSet();

    /// <summary>Parses <c>Kind.group</c> (or <c>Kind</c> for the core group) as kubectl prints it.</summary>
    /// <param name="text">The text form.</param>
    /// <returns>The group and kind.</returns>
    public static GroupKind ParseGroupKind(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? new GroupKind(string.Empty, text.Trim()) : new GroupKind(text[(dot + 1)..].Trim(), text[..dot].Trim());
    }
}
