using System.Collections.Immutable;
using System.Text.Json;
using GitOps.Sdk.Hosting;
using GitOps.Sdk.Rendering;

namespace GitOps.Sdk.Planning;

/// <summary>
/// The confinement policy of one application: where its objects may go (allowed namespaces), which cluster-scoped
/// kinds it may declare (its own list plus the host's), and a deny list that always applies (the application's and
/// the host's denied kinds, and bindings to <c>cluster-admin</c> unless allowed). Evaluated once per revision, over
/// every object, before anything is read, applied or pruned.
/// </summary>
/// <remarks>
/// Scope is decided from the rendered objects: an object without a namespace whose kind is a built-in cluster-scoped
/// kind, a kind in <see cref="RenderStageOptions.ClusterScopedKinds"/> or a kind whose CustomResourceDefinition in the
/// same revision says <c>scope: Cluster</c> is cluster-scoped; every other object is namespaced (its namespace was
/// filled in from the application's when it declared none). A Namespace object named after an allowed namespace is
/// allowed without listing <c>Namespace</c> among the cluster-scoped kinds: an application may create its own namespace.
/// </remarks>
internal sealed class ConfinementPolicy
{
    private static readonly GroupKind NamespaceKind = new(string.Empty, "Namespace");
    private const string RbacGroup = "rbac.authorization.k8s.io";

    private readonly string _application;
    private readonly ImmutableArray<string> _namespaces;
    private readonly ImmutableArray<KindPattern> _clusterKinds;
    private readonly ImmutableArray<KindPattern> _denied;
    private readonly bool _allowClusterAdminBindings;
    private readonly ImmutableHashSet<GroupKind> _extraClusterScoped;

    private ConfinementPolicy(
        string application,
        ImmutableArray<string> namespaces,
        ImmutableArray<KindPattern> clusterKinds,
        ImmutableArray<KindPattern> denied,
        bool allowClusterAdminBindings,
        ImmutableHashSet<GroupKind> extraClusterScoped)
    {
        _application = application;
        _namespaces = namespaces;
        _clusterKinds = clusterKinds;
        _denied = denied;
        _allowClusterAdminBindings = allowClusterAdminBindings;
        _extraClusterScoped = extraClusterScoped;
    }

    /// <summary>Gets the namespace patterns objects may target; empty when any namespace is allowed.</summary>
    public ImmutableArray<string> Namespaces => _namespaces;

    /// <summary>Builds the policy of <paramref name="app"/> under the host's <paramref name="host"/> settings.</summary>
    /// <param name="app">The application (validated at start-up).</param>
    /// <param name="host">The host settings (allowed cluster-scoped kinds and denied kinds for every application).</param>
    /// <param name="extraClusterScoped">Kinds the render stage treats as cluster-scoped, as <c>Kind.group</c>.</param>
    /// <returns>The policy.</returns>
    public static ConfinementPolicy For(ApplicationDefinition app, GitOpsOptions host, IEnumerable<string> extraClusterScoped)
    {
        var namespaces = !app.AllowedNamespaces.IsDefaultOrEmpty
            ? [.. app.AllowedNamespaces.Select(static n => n.Trim())]
            : string.IsNullOrEmpty(app.Namespace) ? ImmutableArray<string>.Empty : [app.Namespace];
        if (namespaces.Contains("*"))
        {
            namespaces = [];
        }

        return new ConfinementPolicy(
            app.Name,
            namespaces,
            [.. host.AllowedClusterKinds.Concat(app.AllowedClusterKinds).Select(KindPattern.Parse)],
            [.. host.DeniedKinds.Concat(app.DeniedKinds).Select(KindPattern.Parse)],
            app.AllowClusterAdminBindings,
            [.. extraClusterScoped.Select(ClusterScopedKinds.ParseGroupKind)]);
    }

    /// <summary>Checks every object of <paramref name="desired"/>.</summary>
    /// <param name="desired">The rendered revision.</param>
    /// <returns>The violations, in declaration order; empty when the revision is allowed.</returns>
    public ImmutableArray<ConfinementViolation> Evaluate(DesiredState desired)
    {
        var objects = desired.Objects.IsDefault ? [] : desired.Objects;
        var clusterScoped = _extraClusterScoped.ToBuilder();
        foreach (var o in objects)
        {
            if (DefaultNamespaceTransform.CustomResourceScope(o) is { Cluster: true } crd)
            {
                clusterScoped.Add(crd.Kind);
            }
        }

        var violations = ImmutableArray.CreateBuilder<ConfinementViolation>();
        foreach (var o in objects)
        {
            Check(o, clusterScoped, violations);
        }

        return violations.ToImmutable();
    }

    private void Check(KubeObject o, ImmutableHashSet<GroupKind>.Builder clusterScoped, ImmutableArray<ConfinementViolation>.Builder violations)
    {
        var gk = o.Key.GroupKind;
        if (_denied.Where(p => p.Matches(gk)).Select(static p => (KindPattern?)p).FirstOrDefault() is { } denied)
        {
            violations.Add(new ConfinementViolation(o.Key, o.Origin, ConfinementRules.DeniedKinds, $"kind {Text(gk)} is denied by '{denied}' (remove it from DeniedKinds of the application or the host)"));
        }

        if (!_allowClusterAdminBindings && IsClusterAdminBinding(o))
        {
            violations.Add(new ConfinementViolation(o.Key, o.Origin, ConfinementRules.ClusterAdminBinding, $"{o.Kind} grants ClusterRole cluster-admin (allowed only with AllowClusterAdminBindings, --allow-cluster-admin-binding)"));
        }

        var isClusterScoped = o.Namespace.Length == 0 && (ClusterScopedKinds.BuiltIn.Contains(gk) || clusterScoped.Contains(gk));
        if (isClusterScoped)
        {
            if (gk == NamespaceKind && _namespaces.Length > 0 && NamespaceAllowed(o.Name))
            {
                return;
            }

            if (!_clusterKinds.Any(p => p.Matches(gk)))
            {
                violations.Add(new ConfinementViolation(o.Key, o.Origin, ConfinementRules.AllowedClusterKinds, $"cluster-scoped kind {Text(gk)} is not allowed for application '{_application}' (allow it with AllowedClusterKinds, --allow-cluster-kind {Text(gk)})"));
            }

            return;
        }

        if (_namespaces.Length > 0 && !NamespaceAllowed(o.Namespace))
        {
            var target = o.Namespace.Length == 0 ? "no namespace" : $"namespace '{o.Namespace}'";
            violations.Add(new ConfinementViolation(o.Key, o.Origin, ConfinementRules.AllowedNamespaces, $"{target} is outside the allowed namespaces [{string.Join(", ", _namespaces)}] of application '{_application}' (allow it with AllowedNamespaces, --allow-namespace)"));
        }
    }

    private bool NamespaceAllowed(string ns) => ns.Length > 0 && _namespaces.Any(p => NamespaceMatches(p, ns));

    /// <summary>Matches a namespace against an exact name or a <c>prefix*</c> pattern.</summary>
    internal static bool NamespaceMatches(string pattern, string ns) =>
        pattern.EndsWith('*') ? ns.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal) : string.Equals(pattern, ns, StringComparison.Ordinal);

    private static bool IsClusterAdminBinding(KubeObject o)
    {
        if (!string.Equals(o.Group, RbacGroup, StringComparison.Ordinal) || o.Kind is not ("RoleBinding" or "ClusterRoleBinding"))
        {
            return false;
        }

        return o.Json.TryGetProperty("roleRef", out var roleRef) && roleRef.ValueKind == JsonValueKind.Object
            && roleRef.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
            && string.Equals(name.GetString(), "cluster-admin", StringComparison.Ordinal)
            && (!roleRef.TryGetProperty("kind", out var kind) || kind.ValueKind != JsonValueKind.String || string.Equals(kind.GetString(), "ClusterRole", StringComparison.Ordinal));
    }

    private static string Text(GroupKind gk) => gk.Group.Length == 0 ? gk.Kind : $"{gk.Kind}.{gk.Group}";
}

/// <summary>A kind in an allow or deny list: <c>Kind</c> (core group), <c>Kind.group</c>, <c>*.group</c> or <c>*</c>.</summary>
internal readonly record struct KindPattern(string? Group, string? Kind)
{
    /// <summary>Parses a list entry; <see cref="TryParse"/> reports malformed entries at start-up.</summary>
    public static KindPattern Parse(string text) =>
        TryParse(text, out var pattern, out var error) ? pattern : throw new FormatException(error);

    /// <summary>Parses a list entry.</summary>
    public static bool TryParse(string? text, out KindPattern pattern, out string? error)
    {
        pattern = default;
        error = null;
        var t = text?.Trim() ?? string.Empty;
        if (t.Length == 0)
        {
            error = "an empty kind";
            return false;
        }

        if (t == "*")
        {
            pattern = new KindPattern(null, null);
            return true;
        }

        var dot = t.IndexOf('.', StringComparison.Ordinal);
        var kind = dot < 0 ? t : t[..dot];
        var group = dot < 0 ? string.Empty : t[(dot + 1)..];
        if (kind.Length == 0 || (dot >= 0 && group.Length == 0) || kind.Contains('*', StringComparison.Ordinal) && kind != "*" || group.Contains('*', StringComparison.Ordinal)
            || t.Any(static c => char.IsWhiteSpace(c) || c == '/'))
        {
            error = $"'{t}' is not Kind, Kind.group, *.group or *";
            return false;
        }

        pattern = new KindPattern(group, kind == "*" ? null : kind);
        return true;
    }

    /// <summary>Returns whether <paramref name="gk"/> matches.</summary>
    public bool Matches(GroupKind gk) =>
        (Group is null || string.Equals(Group, gk.Group, StringComparison.Ordinal))
        && (Kind is null || string.Equals(Kind, gk.Kind, StringComparison.Ordinal));

    /// <inheritdoc />
    public override string ToString() => Group is null ? "*" : $"{Kind ?? "*"}{(Group.Length == 0 ? string.Empty : "." + Group)}";
}
