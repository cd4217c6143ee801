namespace GitOps.Sdk.Planning;

/// <summary>
/// One object of a revision that the application's confinement policy does not allow. Any violation refuses the whole
/// revision: nothing is applied and nothing is pruned.
/// </summary>
/// <param name="Key">The object.</param>
/// <param name="Origin">Where the object was declared (file and document index), when known.</param>
/// <param name="Rule">The rule that refused it: one of the <see cref="ConfinementRules"/> names.</param>
/// <param name="Message">What is wrong and which option allows it.</param>
public sealed record ConfinementViolation(ResourceKey Key, ObjectOrigin? Origin, string Rule, string Message)
{
    /// <summary>Returns <c>file#document object: message (rule)</c>.</summary>
    /// <returns>The text form.</returns>
    public override string ToString() => $"{Origin?.ToString() ?? "?"} {Key}: {Message} (rule {Rule})";
}

/// <summary>The names of the confinement rules, as reported in <see cref="ConfinementViolation.Rule"/>.</summary>
public static class ConfinementRules
{
    /// <summary>A namespaced object targets a namespace outside the application's allowed namespaces.</summary>
    public const string AllowedNamespaces = "AllowedNamespaces";

    /// <summary>A cluster-scoped object's kind is not in the application's or the host's allowed cluster-scoped kinds.</summary>
    public const string AllowedClusterKinds = "AllowedClusterKinds";

    /// <summary>The object's kind is on the application's or the host's deny list.</summary>
    public const string DeniedKinds = "DeniedKinds";

    /// <summary>A RoleBinding or ClusterRoleBinding grants the <c>cluster-admin</c> ClusterRole.</summary>
    public const string ClusterAdminBinding = "ClusterAdminBinding";
}
